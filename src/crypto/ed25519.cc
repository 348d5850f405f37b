#include "crypto/ed25519.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace vigil::crypto {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<Key> PrivateKey(std::string_view seed) {
  if (seed.size() != 32) return Status::InvalidArgument("an Ed25519 private key is 32 bytes");
  Key key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, U(seed), seed.size()),
          &EVP_PKEY_free);
  if (!key) return Status::Internal("Ed25519 key setup failed");
  return key;
}

}  // namespace

Result<Ed25519KeyPair> GenerateEd25519() {
  Ed25519KeyPair pair;
  pair.private_key.resize(32);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(pair.private_key.data()), 32) != 1) {
    return Status::Internal("random number generator failed");
  }
  VIGIL_ASSIGN_OR_RETURN(pair.public_key, Ed25519PublicKey(pair.private_key));
  return pair;
}

Result<std::string> Ed25519PublicKey(std::string_view private_key) {
  VIGIL_ASSIGN_OR_RETURN(Key key, PrivateKey(private_key));
  std::string out(32, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(out.data()), &len) !=
          1 ||
      len != 32) {
    return Status::Internal("Ed25519 public key derivation failed");
  }
  return out;
}

Result<std::string> Ed25519Sign(std::string_view private_key, std::string_view message) {
  VIGIL_ASSIGN_OR_RETURN(Key key, PrivateKey(private_key));
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string sig(64, '\0');
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, U(message),
                     message.size()) != 1 ||
      len != 64) {
    return Status::Internal("Ed25519 signing failed");
  }
  return sig;
}

bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  Key key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, U(public_key), 32),
          &EVP_PKEY_free);
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), U(signature), signature.size(), U(message), message.size()) ==
             1;
}

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), U(data),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  const Status bad = Status::InvalidArgument("not base64");
  if (text.size() % 4 != 0) return bad;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=';
    if (!ok) return bad;
  }
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), U(text),
                                static_cast<int>(text.size()));
  if (n < 0) return bad;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace vigil::crypto
