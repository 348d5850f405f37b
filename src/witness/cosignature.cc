#include "witness/cosignature.h"

#include "core/big_endian.h"
#include "crypto/bytes.h"
#include "crypto/ed25519.h"
#include "ledger/checkpoint.h"

namespace vigil::witness {
namespace {

constexpr char kCosignatureV1 = 0x04;
constexpr std::string_view kEmDashSpace = "\xe2\x80\x94 ";

std::string SignedMessage(std::string_view body, uint64_t time_s) {
  return "cosignature/v1\ntime " + std::to_string(time_s) + "\n" + std::string(body);
}

}  // namespace

std::string CosignerVerifierKey(std::string_view name, std::string_view public_key) {
  return std::string(name) + "+" +
         crypto::Hex(ledger::NoteKeyHash(name, kCosignatureV1, public_key)) + "+" +
         crypto::Base64Encode(std::string(1, kCosignatureV1) + std::string(public_key));
}

Result<Cosigner> ParseCosignerVerifierKey(std::string_view vkey) {
  const Status bad =
      Status::InvalidArgument("a witness key must be <name>+<hex id>+<base64(0x04 || key)>");
  const auto first = vkey.find('+');
  if (first == std::string_view::npos || first == 0) return bad;
  const auto second = vkey.find('+', first + 1);
  if (second == std::string_view::npos) return bad;
  Cosigner c;
  c.name = std::string(vkey.substr(0, first));
  if (c.name.find_first_of(" \n\t") != std::string::npos) return bad;
  auto key = crypto::Base64Decode(vkey.substr(second + 1));
  if (!key.ok() || key->size() != 33 || (*key)[0] != kCosignatureV1) return bad;
  c.public_key = key->substr(1);
  c.key_hash = ledger::NoteKeyHash(c.name, kCosignatureV1, c.public_key);
  if (crypto::Hex(c.key_hash) != vkey.substr(first + 1, second - first - 1)) return bad;
  return c;
}

Result<std::string> Cosign(std::string_view body, const CosignerKey& key, uint64_t time_s) {
  if (time_s > static_cast<uint64_t>(INT64_MAX)) return Status::InvalidArgument("time");
  VIGIL_ASSIGN_OR_RETURN(std::string signature,
                         crypto::Ed25519Sign(key.private_key, SignedMessage(body, time_s)));
  std::string blob = ledger::NoteKeyHash(key.name, kCosignatureV1, key.public_key);
  PutBigEndian(blob, time_s, 8);
  blob += signature;
  return ledger::NoteSignatureLine(key.name, blob);
}

Result<uint64_t> VerifyCosignature(std::string_view body, std::string_view lines,
                                   const Cosigner& cosigner) {
  while (!lines.empty()) {
    const auto end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
    if (!line.starts_with(kEmDashSpace)) continue;
    line.remove_prefix(kEmDashSpace.size());
    const auto space = line.find(' ');
    if (space == std::string_view::npos || line.substr(0, space) != cosigner.name) continue;
    auto blob = crypto::Base64Decode(line.substr(space + 1));
    if (!blob.ok() || blob->size() != 4 + 8 + 64 || blob->substr(0, 4) != cosigner.key_hash) {
      continue;
    }
    std::string_view rest = std::string_view(*blob).substr(4);
    uint64_t time_s = 0;
    ReadBigEndian(rest, 8, time_s);
    if (time_s <= static_cast<uint64_t>(INT64_MAX) &&
        crypto::Ed25519Verify(cosigner.public_key, SignedMessage(body, time_s), rest)) {
      return time_s;
    }
  }
  return Status::PermissionDenied("no cosignature by " + cosigner.name + " verifies");
}

}  // namespace vigil::witness
