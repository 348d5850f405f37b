#include "server/witness_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "witness/add_checkpoint.h"

namespace vigil::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr int kMaxConnections = 64;
constexpr auto kRequestDeadline = std::chrono::seconds(10);

}  // namespace

struct WitnessServer::Impl {
  explicit Impl(witness::Witness& w) : witness(w), acceptor(io) {}

  void Serve(asio::ip::tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    while (true) {
      stream.expires_after(kRequestDeadline);
      http::request_parser<http::string_body> parser;
      parser.body_limit(witness::kMaxRequestBytes);
      beast::error_code ec;
      http::read(stream, buffer, parser, ec);
      if (ec) return;
      const auto& request = parser.get();
      witness::WitnessReply reply{404, "text/plain; charset=utf-8", "not found\n"};
      const std::string_view target = request.target();
      if (target == "/add-checkpoint" || target.ends_with("/add-checkpoint")) {
        reply = request.method() == http::verb::post
                    ? witness.AddCheckpoint(request.body())
                    : witness::WitnessReply{405, "text/plain; charset=utf-8", "POST only\n"};
      }
      http::response<http::string_body> response(static_cast<http::status>(reply.status), 11);
      response.set(http::field::server, "vigil-witness");
      response.set(http::field::content_type, reply.content_type);
      response.set(http::field::cache_control, "no-store");
      response.keep_alive(request.keep_alive());
      response.body() = std::move(reply.body);
      response.prepare_payload();
      http::write(stream, response, ec);
      if (ec || !request.keep_alive()) return;
    }
  }

  void Accept() {
    while (running) {
      beast::error_code ec;
      asio::ip::tcp::socket socket(io);
      acceptor.accept(socket, ec);
      if (!running) return;
      if (ec) continue;
      if (connections.fetch_add(1) >= kMaxConnections) {
        connections.fetch_sub(1);
        continue;  // the socket closes; the client retries
      }
      std::thread([this, s = std::move(socket)]() mutable {
        Serve(std::move(s));
        connections.fetch_sub(1);
      }).detach();
    }
  }

  witness::Witness& witness;
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor;
  std::atomic<bool> running{true};
  std::atomic<int> connections{0};
  std::thread accepting;
};

Result<std::unique_ptr<WitnessServer>> WitnessServer::Start(witness::Witness& witness,
                                                            const std::string& address,
                                                            uint16_t port) {
  auto impl = std::make_unique<Impl>(witness);
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return Status::InvalidArgument("not an address: " + address);
  const asio::ip::tcp::endpoint endpoint(ip, port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::IoError("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                           ec.message());
  const uint16_t bound = impl->acceptor.local_endpoint().port();
  impl->accepting = std::thread([raw = impl.get()] { raw->Accept(); });
  return std::unique_ptr<WitnessServer>(new WitnessServer(std::move(impl), bound));
}

WitnessServer::WitnessServer(std::unique_ptr<Impl> impl, uint16_t port)
    : impl_(std::move(impl)), port_(port) {}

WitnessServer::~WitnessServer() {
  impl_->running = false;
  // The accepting thread blocks in accept(): a connection of our own wakes it.
  beast::error_code ec;
  auto local = impl_->acceptor.local_endpoint(ec);
  if (!ec) {
    if (local.address().is_unspecified()) {
      local.address(local.address().is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                                            : asio::ip::address(asio::ip::address_v4::loopback()));
    }
    asio::ip::tcp::socket wake(impl_->io);
    wake.connect(local, ec);
  }
  if (impl_->accepting.joinable()) impl_->accepting.join();
  impl_->acceptor.close(ec);
  // Connections in flight end by their deadline; the process is exiting.
  while (impl_->connections.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace vigil::server
