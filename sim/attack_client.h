// Blocking clients for the simulator's attack scenarios (issue #6): an MQTT client over TLS that
// can present a device's certificate, a forged one or none, from a chosen local address; and an
// HTTPS client for the people-facing API. They do what an attacker's tools do, one step at a
// time, and report what the hub answered.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <map>
#include <memory>
#include <string>

#include "core/status.h"

namespace vigil::sim {

struct Endpoint {
  std::string host = "localhost";
  uint16_t port = 0;
  std::string ca_file;  // the hub's CA (to verify the server)
  std::string bind;     // local address to connect from ("" any)
};

// A device's credentials: certificate and key files (both empty: no client certificate).
struct DeviceCredentials {
  std::string cert_file, key_file;
};

class MqttAttackClient {
 public:
  // TLS handshake and MQTT 5 CONNECT; the CONNACK reason code, or an error if the hub closed
  // the connection first (for example a refused certificate).
  Result<uint8_t> Connect(const Endpoint& to, const DeviceCredentials& credentials,
                          const std::string& client_id);
  // QoS 1 PUBLISH; the PUBACK reason code (Unavailable if the connection was closed).
  Result<uint8_t> Publish(const std::string& topic, const std::string& payload);
  // Sends a QoS 0 PUBLISH without waiting for anything.
  Status PublishQos0(const std::string& topic, const std::string& payload);
  // SUBSCRIBE; the SUBACK reason code of the filter.
  Result<uint8_t> Subscribe(const std::string& filter);
  void Close();

 private:
  // The next packet from the hub: (type nibble, body).
  Result<std::pair<uint8_t, std::string>> ReadPacket();
  Status Write(const std::string& bytes);

  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  std::string buffer_;
  uint16_t next_packet_id_ = 1;
};

struct HttpsResponse {
  int status = 0;
  std::string body;
};

// One HTTPS request on a fresh connection. `token`: a bearer token ("" none).
Result<HttpsResponse> HttpsRequest(const Endpoint& to, const std::string& method,
                                   const std::string& target, const std::string& body,
                                   const std::string& token,
                                   const std::map<std::string, std::string>& headers = {});

}  // namespace vigil::sim
