#include "server/mqtt_listener.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/strand.hpp>

namespace vigil::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Status OpenAcceptor(tcp::acceptor& acceptor, const std::string& address, uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return Status::InvalidArgument("bind address " + address + " is not an IP address");
  const tcp::endpoint endpoint(ip, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                               ec.message());
  }
  return Status::Ok();
}

MqttListener::MqttListener(asio::io_context& io, asio::ssl::context& tls, MqttContext& context)
    : io_(io), tls_(tls), context_(context), acceptor_(asio::make_strand(io)) {}

Status MqttListener::Listen(const std::string& address, uint16_t port) {
  VIGIL_RETURN_IF_ERROR(OpenAcceptor(acceptor_, address, port));
  port_ = acceptor_.local_endpoint().port();
  Accept();
  return Status::Ok();
}

void MqttListener::Accept() {
  acceptor_.async_accept(
      asio::make_strand(io_), [this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
          socket.set_option(tcp::no_delay(true));
          if (context_.metrics.connections_open.load() >=
              static_cast<int64_t>(context_.limits.max_connections)) {
            context_.metrics.Refused(ingest::ConnectionRefusal::kTooManyConnections);
            spdlog::warn("connection limit {} reached; refusing a connection",
                         context_.limits.max_connections);
          } else {
            auto session = std::make_shared<MqttSession>(std::move(socket), tls_, context_);
            {
              std::lock_guard lock(mu_);
              if (sessions_.size() >= sweep_at_) {  // amortized: sweep when the list doubles
                std::erase_if(sessions_, [](const auto& w) {
                  auto s = w.lock();
                  return !s || s->finished();
                });
                sweep_at_ = std::max<size_t>(1024, sessions_.size() * 2);
              }
              sessions_.push_back(session);
            }
            session->Start();
          }
        }
        Accept();
      });
}

void MqttListener::StopAccepting() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

void MqttListener::DrainSessions() {
  std::lock_guard lock(mu_);
  for (auto& weak : sessions_) {
    if (auto s = weak.lock()) s->Drain();
  }
}

size_t MqttListener::LiveSessions() {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(std::count_if(sessions_.begin(), sessions_.end(), [](const auto& w) {
    auto s = w.lock();
    return s && !s->finished();
  }));
}

}  // namespace vigil::server
