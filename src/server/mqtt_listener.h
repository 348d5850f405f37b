// Accepts device connections on the MQTT-over-TLS port and keeps track of the live sessions so
// that shutdown can drain them.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "core/status.h"
#include "server/mqtt_session.h"
#include "server/tcp_acceptor.h"

namespace vigil::server {

class MqttListener {
 public:
  MqttListener(boost::asio::io_context& io, boost::asio::ssl::context& tls, MqttContext& context);

  // Binds and starts accepting. Port 0 picks a free port (see port()).
  Status Listen(const std::string& address, uint16_t port);
  uint16_t port() const { return acceptor_.port(); }

  // Stops accepting new connections.
  void StopAccepting();
  // Asks every live session to drain (acknowledge what is durable, then close).
  void DrainSessions();
  // Sessions not yet finished.
  size_t LiveSessions();

 private:
  void OnAccept(boost::asio::ip::tcp::socket socket);

  boost::asio::ssl::context& tls_;
  MqttContext& context_;
  TcpAcceptor acceptor_;
  std::mutex mu_;
  std::vector<std::weak_ptr<MqttSession>> sessions_;
  size_t sweep_at_ = 1024;
};

}  // namespace vigil::server
