#include "server/tcp_acceptor.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace vigil::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TcpAcceptor::TcpAcceptor(asio::io_context& io) : io_(io), acceptor_(asio::make_strand(io)) {}

Status TcpAcceptor::Listen(const std::string& address, uint16_t port, OnAccept on_accept,
                           Admit admit) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return Status::InvalidArgument("bind address " + address + " is not an IP address");
  const tcp::endpoint endpoint(ip, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                               ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  on_accept_ = std::move(on_accept);
  admit_ = std::move(admit);
  Accept();
  return Status::Ok();
}

void TcpAcceptor::Accept() {
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](const boost::system::error_code& ec, tcp::socket socket) {
                           if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
                           if (!ec) {
                             boost::system::error_code peer_ec;
                             const auto peer = socket.remote_endpoint(peer_ec);
                             if (admit_ && (peer_ec || !admit_(peer))) {
                               socket.close(peer_ec);
                             } else {
                               socket.set_option(tcp::no_delay(true));
                               on_accept_(std::move(socket));
                             }
                           }
                           Accept();
                         });
}

void TcpAcceptor::Stop() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

}  // namespace vigil::server
