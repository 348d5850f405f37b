// Password hashing with Argon2id (RFC 9106), stored as PHC strings
// ("$argon2id$v=19$m=...,t=...,p=...$salt$hash") so parameters can be raised later and old
// hashes still verify.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::access {

struct PasswordCost {
  uint32_t memory_kib = 19456;  // OWASP's Argon2id minimum: m=19 MiB, t=2, p=1
  uint32_t iterations = 2;
  uint32_t lanes = 1;
};

// A PHC-format Argon2id hash of `password` with a fresh 16-byte salt.
Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost = {});

// Whether `password` matches `phc_hash` (constant-time comparison inside libargon2).
// False for a malformed hash too.
bool VerifyPassword(std::string_view password, const std::string& phc_hash);

// A hash of a random password made once per process: verifying against it costs what a real
// verification costs, so an unknown username takes as long to refuse as a wrong password.
const std::string& DecoyPasswordHash();

// A random password of 20 characters from an unambiguous alphabet (for first logins).
Result<std::string> GeneratePassword();

}  // namespace vigil::access
