#include "crypto/aead.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

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

}  // namespace

Result<std::string> AeadSeal(std::string_view key, std::string_view plaintext,
                             std::string_view aad) {
  if (key.size() != kAeadKeyBytes) return Status::InvalidArgument("AEAD key must be 32 bytes");
  std::string out(kAeadNonceBytes + plaintext.size() + kAeadTagBytes, '\0');
  if (RAND_bytes(U(out, 0), kAeadNonceBytes) != 1)
    return Status::Internal("nonce generation failed");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(out, 0)) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), U(out, kAeadNonceBytes), &len, U(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), U(out, kAeadNonceBytes + plaintext.size()), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAeadTagBytes,
                          U(out, kAeadNonceBytes + plaintext.size())) != 1) {
    return Status::Internal("AES-256-GCM encryption failed");
  }
  return out;
}

Result<std::string> AeadOpen(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (key.size() != kAeadKeyBytes) return Status::InvalidArgument("AEAD key must be 32 bytes");
  if (sealed.size() < kAeadOverheadBytes) return Status::DataLoss("sealed record is truncated");
  const size_t text_len = sealed.size() - kAeadOverheadBytes;
  std::string out(text_len, '\0');
  std::string tag(sealed.substr(kAeadNonceBytes + text_len));
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(sealed)) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), U(out, 0), &len, U(sealed) + kAeadNonceBytes,
                        static_cast<int>(text_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAeadTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), U(out, text_len), &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return Status::DataLoss("sealed record failed authentication (wrong key, moved or altered)");
  }
  return out;
}

}  // namespace vigil::crypto
