// Byte helpers shared by the crypto wrappers: secure random, SHA-256, hex, constant-time compare.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

// `n` bytes from the operating system's CSPRNG (OpenSSL RAND_bytes).
Result<std::string> RandomBytes(size_t n);

Sha256Digest Sha256(std::string_view data);
// SHA-256 of the concatenation of `parts`, without building it.
Sha256Digest Sha256(std::initializer_list<std::string_view> parts);
// SHA-256 over data given piece by piece (a file as it is written).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(Sha256Stream&& other) noexcept;
  Sha256Stream& operator=(Sha256Stream&&) = delete;
  void Update(std::string_view data);
  Sha256Digest Finish();  // once

 private:
  void* ctx_;  // EVP_MD_CTX
};

// HMAC-SHA256 (RFC 2104) of `data` under `key`.
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// Lower-case hex of `data`.
std::string Hex(std::string_view data);
std::string Hex(const Sha256Digest& digest);

// Equality that takes the same time whatever the contents (for secrets and MACs).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Overwrites a secret's bytes before it is released.
void Wipe(std::string& secret);

}  // namespace vigil::crypto
