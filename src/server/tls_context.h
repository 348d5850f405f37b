// TLS settings for the hub's listeners: TLS 1.3 (1.2 only when configured), the server
// certificate from the data directory, and client certificates verified against the device CA.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string_view>

#include "config/hub_config.h"
#include "core/status.h"

namespace vigil::server {

enum class ClientCertificate {
  kRequired,  // MQTT: no certificate, no handshake
  kOptional,  // HTTPS: verified when presented; routes decide whether they need one
};

Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const HubLayout& layout,
                                                                        TlsMinVersion min_version,
                                                                        ClientCertificate mode);

// The fingerprint of the peer's ClientHello on `ssl` (32 hex digits of a SHA-256 over its
// version, cipher suites, extension types, groups and signature algorithms; GREASE values left
// out, extensions sorted, so a client that shuffles them keeps one fingerprint): which TLS
// software and settings connected. Empty if the hub's contexts did not see the hello.
std::string ClientHelloFingerprint(SSL* ssl);

// The DER bytes of the certificate the peer of `ssl` presented and that verified against the
// device CA; empty when there is none.
std::string VerifiedPeerCertificateDer(SSL* ssl);

}  // namespace vigil::server
