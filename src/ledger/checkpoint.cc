#include "ledger/checkpoint.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/ed25519.h"

namespace vigil::ledger {
namespace {

constexpr std::string_view kEmDashSpace = "\xe2\x80\x94 ";
constexpr char kEd25519 = 0x01;

std::string KeyId(std::string_view name, std::string_view public_key) {
  return NoteKeyHash(name, kEd25519, public_key);
}

std::string Body(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.size) + "\n" +
         crypto::Base64Encode(
             std::string_view(reinterpret_cast<const char*>(c.root.data()), c.root.size())) +
         "\n";
}

bool ValidName(std::string_view name) {
  return !name.empty() && name.find_first_of(" +\n\t") == std::string_view::npos;
}

struct ParsedVerifier {
  std::string name, key_id, public_key;
};

Result<ParsedVerifier> ParseVerifierKey(std::string_view vkey) {
  const Status bad = Status::InvalidArgument("verifier key must be <name>+<hex id>+<base64 key>");
  const auto first = vkey.find('+');
  const auto second = vkey.find('+', first == std::string_view::npos ? 0 : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return bad;
  ParsedVerifier v;
  v.name = std::string(vkey.substr(0, first));
  auto key = crypto::Base64Decode(vkey.substr(second + 1));
  if (!ValidName(v.name) || !key.ok() || key->size() != 33 || (*key)[0] != kEd25519) return bad;
  v.public_key = key->substr(1);
  v.key_id = KeyId(v.name, v.public_key);
  if (crypto::Hex(v.key_id) != vkey.substr(first + 1, second - first - 1)) return bad;
  return v;
}

// The key names of a note's signature lines (not checked further).
std::vector<std::string> SignatureNames(std::string_view note) {
  std::vector<std::string> names;
  const auto split = note.rfind("\n\n");
  if (split == std::string_view::npos) return names;
  std::string_view lines = note.substr(split + 2);
  while (!lines.empty()) {
    const auto end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
    if (line.substr(0, kEmDashSpace.size()) != kEmDashSpace) continue;
    line.remove_prefix(kEmDashSpace.size());
    const std::string name(line.substr(0, line.find(' ')));
    if (ValidName(name) && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

}  // namespace

std::string NoteKeyHash(std::string_view name, char algorithm, std::string_view public_key) {
  std::string material(name);
  material.push_back('\n');
  material.push_back(algorithm);
  material.append(public_key);
  const auto digest = crypto::Sha256(material);
  return std::string(reinterpret_cast<const char*>(digest.data()), 4);
}

std::optional<NoteParts> SplitNote(std::string_view note) {
  const auto split = note.rfind("\n\n");
  if (split == std::string_view::npos) return std::nullopt;
  return NoteParts{note.substr(0, split + 1), note.substr(split + 2)};
}

std::string NoteSignatureLine(std::string_view name, std::string_view blob) {
  return std::string(kEmDashSpace) + std::string(name) + " " + crypto::Base64Encode(blob) + "\n";
}

Result<std::string> VerifierPublicKey(std::string_view verifier_key) {
  VIGIL_ASSIGN_OR_RETURN(ParsedVerifier verifier, ParseVerifierKey(verifier_key));
  return verifier.public_key;
}

Result<Checkpoint> OpenOwnCheckpoint(std::string_view note, std::string_view verifier_key) {
  VIGIL_ASSIGN_OR_RETURN(ParsedVerifier verifier, ParseVerifierKey(verifier_key));
  for (const std::string& name : SignatureNames(note)) {
    auto opened = OpenCheckpoint(note, VerifierKey(name, verifier.public_key));
    if (opened.ok() && (opened->origin == name || opened->origin == name + "/ledger")) {
      return opened;
    }
    if (opened.status().code() == StatusCode::kInvalidArgument) return opened.status();
  }
  return Status::PermissionDenied("checkpoint signature does not verify");
}

std::string VerifierKey(const std::string& name, std::string_view public_key) {
  return name + "+" + crypto::Hex(KeyId(name, public_key)) + "+" +
         crypto::Base64Encode(std::string(1, kEd25519) + std::string(public_key));
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const NoteKey& key) {
  if (!ValidName(key.name) || checkpoint.origin.empty() ||
      checkpoint.origin.find('\n') != std::string::npos) {
    return Status::InvalidArgument("checkpoint origin or key name is not valid");
  }
  const std::string body = Body(checkpoint);
  VIGIL_ASSIGN_OR_RETURN(std::string signature, crypto::Ed25519Sign(key.private_key, body));
  return body + "\n" + NoteSignatureLine(key.name, KeyId(key.name, key.public_key) + signature);
}

Result<Checkpoint> OpenCheckpoint(std::string_view note, std::string_view verifier_key) {
  VIGIL_ASSIGN_OR_RETURN(ParsedVerifier verifier, ParseVerifierKey(verifier_key));
  const Status malformed = Status::InvalidArgument("not a signed checkpoint note");
  const auto split = note.rfind("\n\n");
  if (split == std::string_view::npos || note.size() > 64 * 1024) return malformed;
  const std::string_view body = note.substr(0, split + 1);
  std::string_view signatures = note.substr(split + 2);
  bool verified = false;
  while (!signatures.empty()) {
    const auto end = signatures.find('\n');
    if (end == std::string_view::npos) return malformed;
    std::string_view line = signatures.substr(0, end);
    signatures.remove_prefix(end + 1);
    if (line.substr(0, kEmDashSpace.size()) != kEmDashSpace) return malformed;
    line.remove_prefix(kEmDashSpace.size());
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return malformed;
    auto blob = crypto::Base64Decode(line.substr(space + 1));
    if (!blob.ok() || blob->size() < 5) return malformed;
    if (line.substr(0, space) != verifier.name || blob->substr(0, 4) != verifier.key_id) continue;
    // The first signature by the trusted key decides, as in the reference implementation.
    verified =
        blob->size() == 68 && crypto::Ed25519Verify(verifier.public_key, body, blob->substr(4));
    break;
  }
  if (!verified) return Status::PermissionDenied("checkpoint signature does not verify");
  // Body: origin, size, root (further extension lines are allowed and ignored).
  Checkpoint c;
  std::string_view rest = body;
  auto next_line = [&rest]() {
    const auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    return line;
  };
  c.origin = std::string(next_line());
  const std::string_view size = next_line();
  const auto [ptr, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  auto root = crypto::Base64Decode(next_line());
  if (c.origin.empty() || ec != std::errc() || ptr != size.data() + size.size() || !root.ok() ||
      root->size() != 32) {
    return malformed;
  }
  std::copy(root->begin(), root->end(), c.root.begin());
  return c;
}

}  // namespace vigil::ledger
