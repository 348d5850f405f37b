#include "sim/attack_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "ingest/mqtt/codec.h"

namespace vigil::sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
namespace mqtt = ingest::mqtt;

Status Failed(const std::string& what, const boost::system::error_code& ec) {
  return Status::Unavailable(what + ": " + ec.message());
}

// Resolves `to` and connects `socket`, from `to.bind` when given.
Status ConnectSocket(asio::io_context& io, const Endpoint& to, tcp::socket& socket) {
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(to.host, std::to_string(to.port), ec);
  if (ec) return Failed("resolve " + to.host, ec);
  for (const auto& e : endpoints) {
    socket.close(ec);
    socket.open(e.endpoint().protocol(), ec);
    if (!to.bind.empty()) {
      socket.bind(tcp::endpoint(asio::ip::make_address(to.bind, ec), 0), ec);
      if (ec) return Failed("bind " + to.bind, ec);
    }
    socket.connect(e.endpoint(), ec);
    if (!ec) return Status::Ok();
  }
  return Failed("connect", ec);
}

std::unique_ptr<asio::ssl::context> ClientContext(const Endpoint& to,
                                                  const DeviceCredentials& credentials,
                                                  Status& status) {
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  tls->load_verify_file(to.ca_file, ec);
  if (!ec && !credentials.cert_file.empty()) {
    tls->use_certificate_chain_file(credentials.cert_file, ec);
    if (!ec) tls->use_private_key_file(credentials.key_file, asio::ssl::context::pem, ec);
  }
  status = ec ? Failed("TLS credentials", ec) : Status::Ok();
  tls->set_verify_mode(asio::ssl::verify_peer);
  return tls;
}

}  // namespace

Result<uint8_t> MqttAttackClient::Connect(const Endpoint& to, const DeviceCredentials& credentials,
                                          const std::string& client_id) {
  Status made = Status::Ok();
  tls_ = ClientContext(to, credentials, made);
  VIGIL_RETURN_IF_ERROR(made);
  stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(io_, *tls_);
  VIGIL_RETURN_IF_ERROR(ConnectSocket(io_, to, stream_->next_layer()));
  SSL_set_tlsext_host_name(stream_->native_handle(), to.host.c_str());
  boost::system::error_code ec;
  stream_->handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Failed("TLS handshake", ec);
  mqtt::ConnectPacket connect;
  connect.version = mqtt::ProtocolVersion::kV5;
  connect.client_id = client_id;
  connect.keep_alive_seconds = 60;
  VIGIL_RETURN_IF_ERROR(Write(mqtt::EncodeConnect(connect)));
  VIGIL_ASSIGN_OR_RETURN(auto packet, ReadPacket());
  if (packet.first != 2 || packet.second.size() < 2) {
    return Status::Unavailable("no CONNACK from the hub");
  }
  return static_cast<uint8_t>(packet.second[1]);
}

Result<uint8_t> MqttAttackClient::Publish(const std::string& topic, const std::string& payload) {
  mqtt::PublishPacket publish;
  publish.qos = 1;
  publish.topic = topic;
  publish.packet_id = next_packet_id_++;
  publish.payload = payload;
  VIGIL_RETURN_IF_ERROR(Write(mqtt::EncodePublish(mqtt::ProtocolVersion::kV5, publish)));
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(auto packet, ReadPacket());
    if (packet.first != 4) continue;  // a PUBACK, in order
    return packet.second.size() >= 3 ? static_cast<uint8_t>(packet.second[2]) : uint8_t{0};
  }
}

Status MqttAttackClient::PublishQos0(const std::string& topic, const std::string& payload) {
  mqtt::PublishPacket publish;
  publish.topic = topic;
  publish.payload = payload;
  return Write(mqtt::EncodePublish(mqtt::ProtocolVersion::kV5, publish));
}

Result<uint8_t> MqttAttackClient::Subscribe(const std::string& filter) {
  mqtt::SubscribePacket subscribe;
  subscribe.packet_id = next_packet_id_++;
  subscribe.filters = {filter};
  VIGIL_RETURN_IF_ERROR(Write(mqtt::EncodeSubscribe(mqtt::ProtocolVersion::kV5, subscribe)));
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(auto packet, ReadPacket());
    if (packet.first != 9) continue;
    // packet id (2), properties length (varint, 0 here), then the reason codes
    return packet.second.size() >= 4 ? static_cast<uint8_t>(packet.second.back()) : uint8_t{0x80};
  }
}

void MqttAttackClient::Close() {
  if (!stream_) return;
  boost::system::error_code ec;
  stream_->next_layer().close(ec);
  stream_.reset();
}

Status MqttAttackClient::Write(const std::string& bytes) {
  if (!stream_) return Status::Unavailable("not connected");
  boost::system::error_code ec;
  asio::write(*stream_, asio::buffer(bytes), ec);
  return ec ? Failed("write", ec) : Status::Ok();
}

Result<std::pair<uint8_t, std::string>> MqttAttackClient::ReadPacket() {
  if (!stream_) return Status::Unavailable("not connected");
  for (;;) {
    mqtt::FixedHeader header;
    const mqtt::FrameStatus frame = mqtt::ParseFixedHeader(buffer_, header);
    if (frame == mqtt::FrameStatus::kComplete &&
        buffer_.size() >= header.header_bytes + header.remaining_length) {
      std::string body = buffer_.substr(header.header_bytes, header.remaining_length);
      buffer_.erase(0, header.header_bytes + header.remaining_length);
      return std::make_pair(static_cast<uint8_t>(header.type), std::move(body));
    }
    if (frame == mqtt::FrameStatus::kMalformed) return Status::DataLoss("malformed packet");
    char chunk[4096];
    boost::system::error_code ec;
    const size_t n = stream_->read_some(asio::buffer(chunk), ec);
    if (ec) return Failed("connection closed by the hub", ec);
    buffer_.append(chunk, n);
  }
}

Result<HttpsResponse> HttpsRequest(const Endpoint& to, const std::string& method,
                                   const std::string& target, const std::string& body,
                                   const std::string& token,
                                   const std::map<std::string, std::string>& headers) {
  asio::io_context io;
  Status made = Status::Ok();
  auto tls = ClientContext(to, {}, made);
  VIGIL_RETURN_IF_ERROR(made);
  boost::beast::ssl_stream<tcp::socket> stream(io, *tls);
  VIGIL_RETURN_IF_ERROR(ConnectSocket(io, to, stream.next_layer()));
  SSL_set_tlsext_host_name(stream.native_handle(), to.host.c_str());
  boost::system::error_code ec;
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Failed("TLS handshake", ec);
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, to.host);
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return Failed("HTTP write", ec);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response, ec);
  if (ec) return Failed("HTTP read", ec);
  stream.shutdown(ec);  // best effort
  return HttpsResponse{static_cast<int>(response.result_int()), response.body()};
}

}  // namespace vigil::sim
