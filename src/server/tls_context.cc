#include "server/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace vigil::server {

namespace ssl = boost::asio::ssl;

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
  static const unsigned char kContextId[] = "vigil";
  SSL_CTX_set_session_id_context(native, kContextId, sizeof kContextId - 1);
  return ctx;
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
