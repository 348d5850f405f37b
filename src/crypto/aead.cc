#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
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

// Bumped in a child process after fork(): its inherited nonce pools must not hand out the
// nonces its parent will use.
std::atomic<uint64_t> fork_generation{0};

void CountFork() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// Writes a fresh random nonce. Each RAND_bytes call costs ~0.6 us here (OpenSSL 3's DRBG
// updates its state per call), so nonces are drawn from the DRBG 256 at a time into a per-thread
// pool; nonces are not secret, only unpredictable and never repeated, and each is handed out
// once: the pool is refilled after fork() in the child, and a used nonce's bytes are wiped.
bool NextNonce(unsigned char* nonce) {
  static const int registered = pthread_atfork(nullptr, nullptr, &CountFork);
  (void)registered;
  thread_local struct {
    unsigned char bytes[kAeadNonceBytes * 256];
    size_t used = sizeof bytes;
    uint64_t generation = 0;
  } pool;
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.used == sizeof pool.bytes || pool.generation != generation) {
    if (RAND_bytes(pool.bytes, sizeof pool.bytes) != 1) return false;
    pool.used = 0;
    pool.generation = generation;
  }
  std::memcpy(nonce, pool.bytes + pool.used, kAeadNonceBytes);
  OPENSSL_cleanse(pool.bytes + pool.used, kAeadNonceBytes);
  pool.used += kAeadNonceBytes;
  return true;
}

}  // namespace

Result<std::string> AeadSeal(std::string_view key, std::string_view plaintext,
                             std::string_view aad) {
  if (key.size() != kAeadKeyBytes) return Status::InvalidArgument("AEAD key must be 32 bytes");
  std::string out(kAeadNonceBytes + plaintext.size() + kAeadTagBytes, '\0');
  if (!NextNonce(U(out, 0))) return Status::Internal("nonce generation failed");
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

struct AeadOpener::Context {
  CipherCtx cipher{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  unsigned char key[kAeadKeyBytes] = {};
  bool keyed = false;  // the schedule of `key` is in `cipher`

  // Expands `key` into `cipher` afresh.
  Status Expand() {
    keyed = cipher && Aes256Gcm() &&
            EVP_DecryptInit_ex2(cipher.get(), Aes256Gcm(), key, nullptr, nullptr) == 1;
    return keyed ? Status::Ok() : Status::Internal("AES-256-GCM initialisation failed");
  }
};

AeadOpener::AeadOpener() : ctx_(std::make_unique<Context>()) {}

AeadOpener::~AeadOpener() { OPENSSL_cleanse(ctx_->key, sizeof ctx_->key); }

Status AeadOpener::Rekey(std::string_view key) {
  ctx_->keyed = false;
  if (key.size() != kAeadKeyBytes) return Status::InvalidArgument("AEAD key must be 32 bytes");
  std::memcpy(ctx_->key, key.data(), sizeof ctx_->key);
  return ctx_->Expand();
}

bool AeadOpener::Holds(std::string_view key) const {
  return ctx_->keyed && key.size() == kAeadKeyBytes &&
         CRYPTO_memcmp(ctx_->key, key.data(), sizeof ctx_->key) == 0;
}

Status AeadOpener::Open(std::string_view sealed, std::string_view aad, std::string& out) {
  if (!ctx_->keyed) return Status::FailedPrecondition("the opener has no key");
  if (sealed.size() < kAeadOverheadBytes) return Status::DataLoss("sealed record is truncated");
  const size_t text_len = sealed.size() - kAeadOverheadBytes;
  out.resize(text_len);
  // OpenSSL only reads the tag through this pointer.
  void* tag = const_cast<char*>(sealed.data() + kAeadNonceBytes + text_len);
  EVP_CIPHER_CTX* ctx = ctx_->cipher.get();
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx, nullptr, nullptr, U(sealed), nullptr) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx, U(out, 0), &len, U(sealed) + kAeadNonceBytes,
                        static_cast<int>(text_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kAeadTagBytes, tag) != 1 ||
      EVP_DecryptFinal_ex(ctx, U(out, text_len), &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    out.clear();
    (void)ctx_->Expand();  // after a failure nothing about the context is trusted
    return Status::DataLoss("sealed record failed authentication (wrong key, moved or altered)");
  }
  return Status::Ok();
}

Result<std::string> AeadOpen(std::string_view key, std::string_view sealed, std::string_view aad) {
  // Per thread, the last key's schedule is kept: records of one key opened one call at a time
  // expand it once.
  thread_local AeadOpener opener;
  if (!opener.Holds(key)) VIGIL_RETURN_IF_ERROR(opener.Rekey(key));
  std::string out;
  VIGIL_RETURN_IF_ERROR(opener.Open(sealed, aad, out));
  return out;
}

}  // namespace vigil::crypto
