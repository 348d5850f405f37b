#include "access/password.h"

#include <argon2.h>

#include <cctype>

#include "crypto/bytes.h"

namespace vigil::access {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

}  // namespace

Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost) {
  VIGIL_ASSIGN_OR_RETURN(std::string salt, crypto::RandomBytes(kSaltBytes));
  const size_t encoded_len = argon2_encodedlen(cost.iterations, cost.memory_kib, cost.lanes,
                                               kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  const int rc = argon2id_hash_encoded(cost.iterations, cost.memory_kib, cost.lanes,
                                       password.data(), password.size(), salt.data(), salt.size(),
                                       kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Status::Internal(std::string("argon2id failed: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(std::string_view password, const std::string& phc_hash) {
  if (phc_hash.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(phc_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

const std::string& DecoyPasswordHash() {
  static const std::string decoy = [] {
    auto random = crypto::RandomBytes(24);
    auto hash = HashPassword(random.ok() ? crypto::Hex(*random) : "decoy-password");
    return hash.ok() ? *hash : std::string();
  }();
  return decoy;
}

Result<std::string> GeneratePassword() {
  VIGIL_ASSIGN_OR_RETURN(std::string random, crypto::RandomBytes(20));
  std::string out;
  // 256 is not a multiple of the alphabet's size: reject the biased tail.
  const size_t limit = 256 - 256 % kAlphabet.size();
  while (out.size() < 20) {
    for (unsigned char b : random) {
      if (b < limit && out.size() < 20) out.push_back(kAlphabet[b % kAlphabet.size()]);
    }
    VIGIL_ASSIGN_OR_RETURN(random, crypto::RandomBytes(20));
  }
  return out;
}

}  // namespace vigil::access
