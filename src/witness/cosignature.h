// C2SP tlog-cosignature (v1, Ed25519): a witness's timestamped signature over a checkpoint,
// a note signature line "— <name> base64(key hash (4) || timestamp (u64 BE) || signature (64))"
// whose signed message is "cosignature/v1\ntime <t>\n" followed by the checkpoint's body. The
// key hash is SHA-256(name || 0x0A || 0x04 || public key)[:4]; a cosigner's verifier key is
// "<name>+<hex key hash>+<base64(0x04 || public key)>".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::witness {

struct CosignerKey {
  std::string name;
  std::string private_key;  // Ed25519 seed; a secret
  std::string public_key;
};

// The public half of a cosigner, as a verifier knows it.
struct Cosigner {
  std::string name;
  std::string key_hash;  // 4 bytes
  std::string public_key;
};

std::string CosignerVerifierKey(std::string_view name, std::string_view public_key);

// Parses "<name>+<hex key hash>+<base64(0x04 || key)>"; InvalidArgument otherwise.
Result<Cosigner> ParseCosignerVerifierKey(std::string_view vkey);

// The signature line cosigning the checkpoint `body` (with its final newline) at `time_s`.
Result<std::string> Cosign(std::string_view body, const CosignerKey& key, uint64_t time_s);

// The time of the first cosignature by `cosigner` among a note's `signature_lines` that
// verifies over `body`; PermissionDenied if there is none.
Result<uint64_t> VerifyCosignature(std::string_view body, std::string_view signature_lines,
                                   const Cosigner& cosigner);

}  // namespace vigil::witness
