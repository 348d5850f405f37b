// A listening TCP socket that hands every accepted connection, on a strand of its own, to a
// callback; shared by the MQTT and HTTPS listeners.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

#include "core/status.h"

namespace vigil::server {

class TcpAcceptor {
 public:
  using OnAccept = std::function<void(boost::asio::ip::tcp::socket)>;
  // Whether a peer may connect at all; a refused one is closed at once, before TLS.
  using Admit = std::function<bool(const boost::asio::ip::tcp::endpoint&)>;

  explicit TcpAcceptor(boost::asio::io_context& io);

  // Binds address:port (SO_REUSEADDR; port 0 picks a free one) and starts accepting.
  Status Listen(const std::string& address, uint16_t port, OnAccept on_accept, Admit admit = {});
  uint16_t port() const { return port_; }
  // Stops accepting; connections already accepted are not touched. Thread-safe.
  void Stop();

 private:
  void Accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  OnAccept on_accept_;
  Admit admit_;
  uint16_t port_ = 0;
};

}  // namespace vigil::server
