// Signed checkpoints of the audit ledger: a C2SP tlog-checkpoint body (origin line, tree size,
// base64 root hash) in a C2SP signed note with an Ed25519 signature:
//
//   <origin>\n<size>\n<base64 root>\n\n— <key name> <base64(key id (4) || signature (64))>\n
//
// key id = SHA-256(key name || 0x0A || 0x01 || public key)[:4]. The signature covers the body
// including its final newline. A verifier key is "<name>+<hex key id>+<base64(0x01 || public
// key)>", the form other transparency-log tools take.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ledger/merkle.h"

namespace vigil::ledger {

struct Checkpoint {
  std::string origin;  // the log's name, e.g. "vigil.example.org/hub-1/ledger"
  uint64_t size = 0;
  Hash root{};
};

struct NoteKey {
  std::string name;         // no spaces or '+'
  std::string private_key;  // Ed25519 seed; a secret
  std::string public_key;
};

// The verifier key of `name` and `public_key`.
std::string VerifierKey(const std::string& name, std::string_view public_key);

// The signed note of `checkpoint`.
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const NoteKey& key);

// Verifies a signed checkpoint note against a verifier key and parses it. PermissionDenied if
// no signature by that key verifies; InvalidArgument if the note is malformed.
Result<Checkpoint> OpenCheckpoint(std::string_view note, std::string_view verifier_key);

// A checkpoint signed by the key of `verifier_key` under any name the hub has used it with:
// its origin (checkpoints since session 10: key name == origin line) or, before, the hub's
// name with the origin "<name>/ledger". What the hub itself checks its own notes with (the
// head, checkpoint logs, `vigil verify`), since an origin change renames the key; an outsider
// verifies with the published key alone (OpenCheckpoint).
Result<Checkpoint> OpenOwnCheckpoint(std::string_view note, std::string_view verifier_key);

// A C2SP signed note's key hash: SHA-256(name || 0x0A || algorithm || public key)[:4]
// (algorithm 0x01 for Ed25519 note signatures, 0x04 for Ed25519 cosignatures).
std::string NoteKeyHash(std::string_view name, char algorithm, std::string_view public_key);

// A note split into its body (through the newline before the blank line) and its signature
// lines; nullopt if it has no blank line.
struct NoteParts {
  std::string_view body;
  std::string_view signatures;
};
std::optional<NoteParts> SplitNote(std::string_view note);

// "— <name> <base64(blob)>\n", a note signature line.
std::string NoteSignatureLine(std::string_view name, std::string_view blob);

// The public key (32 bytes) a verifier key holds; InvalidArgument if it is not one.
Result<std::string> VerifierPublicKey(std::string_view verifier_key);

}  // namespace vigil::ledger
