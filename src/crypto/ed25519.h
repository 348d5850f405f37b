// Ed25519 signatures (RFC 8032) through OpenSSL: key generation, signing, verification, and
// standard base64 (RFC 4648 section 4) for the text formats that carry keys and signatures.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::crypto {

struct Ed25519KeyPair {
  std::string private_key;  // the 32-byte seed; a secret
  std::string public_key;   // 32 bytes
};

Result<Ed25519KeyPair> GenerateEd25519();
// The public key of a 32-byte seed.
Result<std::string> Ed25519PublicKey(std::string_view private_key);
// A 64-byte signature of `message`.
Result<std::string> Ed25519Sign(std::string_view private_key, std::string_view message);
bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature);

std::string Base64Encode(std::string_view data);
// Strict: padding required, no whitespace; InvalidArgument otherwise.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace vigil::crypto
