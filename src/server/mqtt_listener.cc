#include "server/mqtt_listener.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vigil::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

MqttListener::MqttListener(asio::io_context& io, asio::ssl::context& tls, MqttContext& context)
    : tls_(tls), context_(context), acceptor_(io) {}

Status MqttListener::Listen(const std::string& address, uint16_t port) {
  return acceptor_.Listen(
      address, port, [this](tcp::socket socket) { OnAccept(std::move(socket)); },
      // No address blocks here: every device authenticates with its certificate in the
      // handshake, and one behind a blocked NAT address must go on streaming (a device that
      // misbehaves is quarantined by its identity). Concurrency stays bounded by
      // max_connections.
      [](const tcp::endpoint&) { return true; });
}

void MqttListener::OnAccept(tcp::socket socket) {
  if (context_.metrics.connections_open.load() >=
      static_cast<int64_t>(context_.limits.max_connections)) {
    context_.metrics.Refused(ingest::ConnectionRefusal::kTooManyConnections);
    spdlog::warn("connection limit {} reached; refusing a connection",
                 context_.limits.max_connections);
    return;
  }
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

void MqttListener::StopAccepting() { acceptor_.Stop(); }

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
