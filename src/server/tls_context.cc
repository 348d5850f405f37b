#include "server/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <vector>

#include "crypto/bytes.h"

namespace vigil::server {

namespace ssl = boost::asio::ssl;

namespace {

// GREASE values (RFC 8701) are random by design: they say nothing about the client.
bool Grease(unsigned v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

void FreeFingerprint(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::string*>(ptr);
}

int FingerprintIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeFingerprint);
  return index;
}

// Appends the big-endian 16-bit values of `bytes` (a ClientHello list), GREASE left out.
void AppendU16s(std::string& out, const unsigned char* bytes, size_t len) {
  for (size_t i = 0; i + 1 < len; i += 2) {
    const unsigned v = (unsigned{bytes[i]} << 8) | bytes[i + 1];
    if (!Grease(v)) out += std::to_string(v) + ',';
  }
  out += '|';
}

int RememberClientHello(SSL* s, int*, void*) {
  std::string hello = std::to_string(SSL_client_hello_get0_legacy_version(s)) + '|';
  const unsigned char* bytes = nullptr;
  AppendU16s(hello, bytes, SSL_client_hello_get0_ciphers(s, &bytes));
  int* types = nullptr;
  size_t count = 0;
  if (SSL_client_hello_get1_extensions_present(s, &types, &count) == 1) {
    std::vector<int> sorted(types, types + count);
    OPENSSL_free(types);
    std::sort(sorted.begin(), sorted.end());
    for (int t : sorted) {
      if (!Grease(static_cast<unsigned>(t))) hello += std::to_string(t) + ',';
    }
  }
  hello += '|';
  for (unsigned type : {10u /* supported_groups */, 13u /* signature_algorithms */}) {
    size_t len = 0;
    // Each list starts with its 2-byte length.
    if (SSL_client_hello_get0_ext(s, type, &bytes, &len) == 1 && len >= 2) {
      AppendU16s(hello, bytes + 2, len - 2);
    }
  }
  const auto digest = crypto::Sha256(hello);
  auto* fingerprint = new std::string(crypto::Hex(digest).substr(0, 32));
  delete static_cast<std::string*>(SSL_get_ex_data(s, FingerprintIndex()));
  SSL_set_ex_data(s, FingerprintIndex(), fingerprint);
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(const HubLayout& layout,
                                                           TlsMinVersion min_version,
                                                           ClientCertificate mode) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(
      native, min_version == TlsMinVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Thousands of mostly idle device connections: give record buffers back between messages.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  if (min_version == TlsMinVersion::kTls12) {
    // Forward-secret AEAD suites only, for devices that cannot do TLS 1.3.
    SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20");
  }
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(layout.server_cert(), ec);
  if (!ec) ctx->use_private_key_file(layout.server_key(), ssl::context::pem, ec);
  if (ec) return Status::FailedPrecondition("server certificate or key unusable: " + ec.message());
  ctx->load_verify_file(layout.ca_cert(), ec);
  if (ec) return Status::FailedPrecondition("device CA unusable: " + ec.message());
  int verify = SSL_VERIFY_PEER;
  if (mode == ClientCertificate::kRequired) verify |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(native, verify, nullptr);
  SSL_CTX_set_verify_depth(native, 2);
  // Devices connect often; resumption with tickets keeps reconnect storms cheap.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_client_hello_cb(native, RememberClientHello, nullptr);
  static const unsigned char kContextId[] = "vigil";
  SSL_CTX_set_session_id_context(native, kContextId, sizeof kContextId - 1);
  return ctx;
}

std::string ClientHelloFingerprint(SSL* ssl) {
  const auto* fingerprint =
      static_cast<const std::string*>(SSL_get_ex_data(ssl, FingerprintIndex()));
  return fingerprint ? *fingerprint : std::string();
}

std::string VerifiedPeerCertificateDer(SSL* ssl) {
  if (SSL_get_verify_result(ssl) != X509_V_OK) return {};
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  std::string out;
  if (len > 0) out.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

}  // namespace vigil::server
