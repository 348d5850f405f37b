// AES-256-GCM authenticated encryption with a fresh random 96-bit nonce per message.
//
// Sealed layout (all sizes in bytes): nonce (12) || ciphertext (len(plaintext)) || tag (16).
// The associated data is authenticated, not stored: the opener must supply the same bytes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::crypto {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 12;
inline constexpr size_t kAeadTagBytes = 16;
inline constexpr size_t kAeadOverheadBytes = kAeadNonceBytes + kAeadTagBytes;

// Encrypts `plaintext` under a 32-byte `key`, binding `aad`.
Result<std::string> AeadSeal(std::string_view key, std::string_view plaintext,
                             std::string_view aad);

// Decrypts what AeadSeal made. DataLoss when the key, the associated data or any byte of
// `sealed` differs from what was sealed; no partial plaintext is ever returned.
Result<std::string> AeadOpen(std::string_view key, std::string_view sealed, std::string_view aad);

// Opens many records under one key: the AES key schedule is expanded once, then each record
// only sets its nonce (a page of one patient's Observations). One per thread at a time.
class AeadOpener {
 public:
  AeadOpener();
  // With `key` in use; if it cannot be (not 32 bytes), every Open fails.
  explicit AeadOpener(std::string_view key) : AeadOpener() { (void)Rekey(key); }
  ~AeadOpener();
  AeadOpener(const AeadOpener&) = delete;
  AeadOpener& operator=(const AeadOpener&) = delete;

  // Uses `key` from now on (InvalidArgument unless 32 bytes).
  Status Rekey(std::string_view key);
  // Whether `key` is the one in use (compared in constant time).
  bool Holds(std::string_view key) const;
  // As AeadOpen, under the key in use, into `plaintext` (its storage reused; cleared on
  // failure).
  Status Open(std::string_view sealed, std::string_view aad, std::string& plaintext);

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

}  // namespace vigil::crypto
