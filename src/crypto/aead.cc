#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>

namespace vigil::crypto {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s, size_t offset) {
  return reinterpret_cast<unsigned char*>(s.data()) + offset;
}

// OpenSSL 3 looks the algorithm up on every init unless it is fetched once; and a context per
// call costs an allocation. Both are kept: the cipher for the process, a context per thread.
const EVP_CIPHER* Aes256Gcm() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

EVP_CIPHER_CTX* ThreadContext() {
  thread_local CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  return ctx.get();
}

// A per-thread decryption context that keeps the AES key schedule of the last key it was given:
// opening a page of one patient's records expands their key once, then only sets each nonce.
class DecryptContext {
 public:
  DecryptContext() : ctx_(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free) {}
  ~DecryptContext() { OPENSSL_cleanse(key_, sizeof key_); }

  // Ready to decrypt under `key` with `nonce`; nullptr if OpenSSL failed.
  EVP_CIPHER_CTX* Begin(std::string_view key, const unsigned char* nonce) {
    if (!ctx_ || !Aes256Gcm()) return nullptr;
    const bool same_key = has_key_ && CRYPTO_memcmp(key_, key.data(), sizeof key_) == 0;
    const int ok = same_key ? EVP_DecryptInit_ex2(ctx_.get(), nullptr, nullptr, nonce, nullptr)
                            : EVP_DecryptInit_ex2(ctx_.get(), Aes256Gcm(), U(key), nonce, nullptr);
    if (ok != 1) {
      has_key_ = false;
      return nullptr;
    }
    if (!same_key) {
      std::memcpy(key_, key.data(), sizeof key_);
      has_key_ = true;
    }
    return ctx_.get();
  }

  // After a failure nothing about the context is trusted: the next call starts afresh.
  void Forget() { has_key_ = false; }

 private:
  CipherCtx ctx_;
  unsigned char key_[kAeadKeyBytes] = {};
  bool has_key_ = false;
};

}  // namespace

Result<std::string> AeadSeal(std::string_view key, std::string_view plaintext,
                             std::string_view aad) {
  if (key.size() != kAeadKeyBytes) return Status::InvalidArgument("AEAD key must be 32 bytes");
  std::string out(kAeadNonceBytes + plaintext.size() + kAeadTagBytes, '\0');
  if (RAND_bytes(U(out, 0), kAeadNonceBytes) != 1)
    return Status::Internal("nonce generation failed");
  EVP_CIPHER_CTX* ctx = ThreadContext();
  int len = 0;
  if (!ctx || !Aes256Gcm() ||
      EVP_EncryptInit_ex2(ctx, Aes256Gcm(), U(key), U(out, 0), nullptr) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx, U(out, kAeadNonceBytes), &len, U(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, U(out, kAeadNonceBytes + plaintext.size()), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kAeadTagBytes,
                          U(out, kAeadNonceBytes + plaintext.size())) != 1) {
    return Status::Internal("AES-256-GCM encryption failed");
  }
  return out;
}

Status AeadOpenInto(std::string_view key, std::string_view sealed, std::string_view aad,
                    std::string& out) {
  if (key.size() != kAeadKeyBytes) return Status::InvalidArgument("AEAD key must be 32 bytes");
  if (sealed.size() < kAeadOverheadBytes) return Status::DataLoss("sealed record is truncated");
  const size_t text_len = sealed.size() - kAeadOverheadBytes;
  out.resize(text_len);
  // OpenSSL only reads the tag through this pointer.
  void* tag = const_cast<char*>(sealed.data() + kAeadNonceBytes + text_len);
  thread_local DecryptContext decrypt;
  EVP_CIPHER_CTX* ctx = decrypt.Begin(key, U(sealed));
  int len = 0;
  if (!ctx ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx, U(out, 0), &len, U(sealed) + kAeadNonceBytes,
                        static_cast<int>(text_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kAeadTagBytes, tag) != 1 ||
      EVP_DecryptFinal_ex(ctx, U(out, text_len), &len) != 1) {
    decrypt.Forget();
    OPENSSL_cleanse(out.data(), out.size());
    out.clear();
    return Status::DataLoss("sealed record failed authentication (wrong key, moved or altered)");
  }
  return Status::Ok();
}

Result<std::string> AeadOpen(std::string_view key, std::string_view sealed, std::string_view aad) {
  std::string out;
  VIGIL_RETURN_IF_ERROR(AeadOpenInto(key, sealed, aad, out));
  return out;
}

}  // namespace vigil::crypto
