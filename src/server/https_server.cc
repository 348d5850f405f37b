#include "server/https_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <optional>

#include "server/ingest_request.h"
#include "server/tls_context.h"

namespace vigil::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr size_t kMaxBatchMessages = 1000;
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;

// Whether a failed handshake is the client walking away: an alert it sent (a browser that does
// not trust the hub's certificate yet, before its user accepts it) or a connection it closed
// (a browser's speculative preconnect). Nothing was refused to anyone: it is not a refused
// connection in the ledger or for detection, which would block a whole ward's address over a
// browser's habits. A certificate the hub refuses is still one.
bool ClientAbandonedHandshake(const beast::error_code& ec) {
  if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    return true;
  }
  if (ec.category() != asio::error::get_ssl_category()) return false;
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  return reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256;
}

// One HTTPS connection: reads requests one at a time (keep-alive), answers each.
class HttpsSession : public std::enable_shared_from_this<HttpsSession> {
 public:
  HttpsSession(tcp::socket socket, asio::ssl::context& tls, HttpsContext& context)
      : stream_(std::move(socket), tls), context_(context) {
    beast::error_code ec;  // known now: a handshake that times out has no endpoint left
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
      peer_address_ = endpoint.address().to_string();
      loopback_peer_ = endpoint.address().is_loopback();
    }
  }

  void Start() {
    beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    stream_.async_handshake(
        asio::ssl::stream_base::server, [self = shared_from_this()](const beast::error_code& ec) {
          if (ec) {
            if (ClientAbandonedHandshake(ec)) {
              spdlog::debug("HTTPS TLS handshake abandoned by the client: {}", ec.message());
              return;
            }
            self->context_.metrics.Refused(ingest::ConnectionRefusal::kTlsHandshake);
            if (self->context_.audit) {
              self->context_.audit->Refused(
                  ingest::ConnectionRefusalName(ingest::ConnectionRefusal::kTlsHandshake),
                  self->PeerAddress(), "", "https");
            }
            spdlog::info("HTTPS TLS handshake refused: {}", ec.message());
            return;
          }
          self->Authenticate();
          self->ReadRequest();
        });
  }

 private:
  void Authenticate() {
    const std::string der = VerifiedPeerCertificateDer(stream_.native_handle());
    has_certificate_ = !der.empty();
    if (!has_certificate_) return;
    auto auth = context_.directory.Authenticate(der);
    if (auto* id = std::get_if<ingest::DeviceIdentity>(&auth)) {
      identity_ = *id;
      identity_->address = PeerAddress();
    } else {
      auth_refusal_ = std::get<ingest::ConnectionRefusal>(auth);
    }
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(static_cast<uint64_t>(context_.limits.max_payload_bytes) * 16);
    parser_->header_limit(kMaxHeaderBytes);
    beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](const beast::error_code& ec, size_t) {
                       if (!ec) return self->Route(self->parser_->release());
                       if (auto refusal = RefusalOfUnreadable(ec)) {
                         return self->Reply(std::move(*refusal), false);  // then close
                       }
                       if (ec == http::error::end_of_stream) return self->Close();
                       // the peer went away, or was too slow: nothing to answer
                     });
  }

  // What a request that could not be read is told (and the connection closed after): 413 for
  // a body over the limit, 431 for headers over it, 400 for anything malformed. Nothing for a
  // peer that left or timed out.
  static std::optional<HttpReply> RefusalOfUnreadable(const beast::error_code& ec) {
    if (ec == http::error::body_limit) {
      return Problem(413, "too_large", "Request too large", "the body exceeds the hub's limit");
    }
    if (ec == http::error::header_limit) {
      return Problem(
          431, "headers_too_large", "Request header fields too large",
          "the request line and headers exceed " + std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message &&
        ec != http::error::need_more) {
      return Problem(400, "bad_request", "Bad request",
                     "the request is not well-formed HTTP/1.1 (" + ec.message() + ")");
    }
    return std::nullopt;
  }

  void Route(http::request<http::string_body> request) {
    keep_alive_ = request.keep_alive();
    const std::string target(request.target());
    if (target == "/ingest") {
      if (request.method() != http::verb::post) return Reply(api::MethodNotAllowed("POST"));
      return Ingest(std::move(request));
    }
    if (target == "/metrics") {
      if (request.method() != http::verb::get) return Reply(api::MethodNotAllowed("GET"));
      if (!IsLoopbackPeer() && !identity_) {
        return Reply(Problem(403, "forbidden", "Forbidden",
                             "/metrics needs a loopback peer or an enrolled client certificate"));
      }
      return Reply({200, "text/plain; version=0.0.4", context_.render_metrics()});
    }
    if (target == "/healthz" || target == "/readyz") {
      if (!context_.readiness || context_.readiness->ready()) {
        return Reply({200, "text/plain", "ok\n"});
      }
      // Why, for those who may read /metrics too; others learn only that it is not ready.
      const bool operator_peer = IsLoopbackPeer() || identity_;
      return Reply({503, "text/plain",
                    "not ready" +
                        (operator_peer ? ": " + context_.readiness->Reasons() : std::string()) +
                        "\n"});
    }
    if (context_.api) {
      api::ApiRequest api_request;
      const bool parsed = ParseTarget(target, api_request).ok();
      const bool console =
          parsed && context_.console && console::ConsoleService::Serves(api_request.path);
      if (parsed && (console || api::ApiService::Serves(api_request.path))) {
        if (IsBlockedEntryPoint(api_request.path)) {
          context_.metrics.Refused(ingest::ConnectionRefusal::kAddressBlocked);
          HttpReply refused =
              Problem(429, "address_blocked", "Too many failures from this address",
                      "sign-ins from this address are paused for a while after repeated "
                      "failures; devices and people already signed in are not affected");
          refused.headers.emplace_back("Retry-After", "60");
          return Reply(std::move(refused));
        }
        return CallApi(std::move(request), std::move(api_request), console);
      }
    }
    Reply(Problem(404, "not_found", "Not found", "no such resource"));
  }

  // A blocked address (a containment playbook's, after an unauthenticated flood or password
  // spraying) is refused only where nobody is authenticated yet: signing in. Devices (client
  // certificates), signed-in people (their tokens are checked as always), /healthz and the
  // public ledger go on, so a block never cuts off everyone behind one NAT or gateway.
  bool IsBlockedEntryPoint(const std::string& path) const {
    return context_.blocklist &&
           (path == "/auth/login" || path == "/auth/mfa" || path == "/console/login" ||
            path == "/console/mfa") &&
           context_.blocklist->IsBlocked(peer_address_);
  }

  void Ingest(http::request<http::string_body> request) {
    if (!identity_ && auth_refusal_ == ingest::ConnectionRefusal::kStoreUnavailable) {
      context_.metrics.Refused(auth_refusal_);
      HttpReply unavailable = Problem(503, "unavailable", "Store unavailable",
                                      "the hub cannot reach its store; try again shortly");
      unavailable.headers.emplace_back("Retry-After", "5");
      return Reply(std::move(unavailable));
    }
    if (!identity_) {
      const bool none = !has_certificate_;
      if (!none) context_.metrics.Refused(auth_refusal_);
      if (context_.audit) {
        context_.audit->Refused(none ? std::string_view("no_client_certificate")
                                     : ingest::ConnectionRefusalName(auth_refusal_),
                                PeerAddress(), "", "https");
      }
      return Reply(Problem(none ? 401 : 403, "not_authorized",
                           none ? "Client certificate required" : "Device not authorized",
                           none ? "POST /ingest needs the device's client certificate"
                                : std::string("certificate not authorized: ") +
                                      std::string(ingest::ConnectionRefusalName(auth_refusal_))));
    }
    const std::string content_type(request[http::field::content_type]);
    SubmitIngestRequest(
        context_.pipeline, *identity_, content_type, std::move(request.body()), kMaxBatchMessages,
        [self = shared_from_this()](HttpReply reply) {
          asio::post(self->stream_.get_executor(),
                     [self, reply = std::move(reply)]() mutable { self->Reply(std::move(reply)); });
        });
  }

  void CallApi(http::request<http::string_body> request, api::ApiRequest api_request,
               bool console) {
    api_request.method = std::string(request.method_string());
    api_request.authorization = std::string(request[http::field::authorization]);
    api_request.content_type = std::string(request[http::field::content_type]);
    api_request.accept = std::string(request[http::field::accept]);
    api_request.prefer = std::string(request["Prefer"]);
    api_request.break_glass_reason = std::string(request["Vigil-Break-Glass"]);
    api_request.body = std::move(request.body());
    api_request.cookie = std::string(request[http::field::cookie]);
    api_request.origin = std::string(request[http::field::origin]);
    api_request.host = std::string(request[http::field::host]);
    api_request.peer_address = PeerAddress();
    api_request.base_url = context_.public_base_url;  // never the request's Host header
    asio::post(
        context_.api_executor, [self = shared_from_this(), r = std::move(api_request), console] {
          HttpReply reply;
          try {
            reply = console ? self->context_.console->Handle(r) : self->context_.api->Handle(r);
          } catch (const std::exception& e) {  // a bug: answer 500, keep the hub up
            spdlog::error("API request {} {} failed: {}", r.method, r.path, e.what());
            reply = Problem(500, "internal", "Internal error",
                            "the hub could not complete the request");
          }
          asio::post(self->stream_.get_executor(),
                     [self, reply = std::move(reply)]() mutable { self->Reply(std::move(reply)); });
        });
  }

  const std::string& PeerAddress() const { return peer_address_; }
  bool IsLoopbackPeer() const { return loopback_peer_; }

  void Reply(HttpReply reply, bool keep_alive = true) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), 11);
    response->set(http::field::server, "vigil");
    response->set(http::field::content_type, reply.content_type);
    // Every answer may carry health data or a token: never cached, never framed or sniffed,
    // only over HTTPS from now on, and no Referer carrying a FHIR query elsewhere.
    response->set(http::field::cache_control, "no-store");
    response->set(http::field::strict_transport_security, "max-age=31536000");
    response->set("X-Content-Type-Options", "nosniff");
    response->set("Referrer-Policy", "no-referrer");
    response->set(
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    for (const auto& [name, value] : reply.headers) {
      if (name == "Set-Cookie") {
        response->insert(name, value);  // one header per cookie
      } else {
        response->set(name, value);  // the reply's own replaces the default (the console's CSP)
      }
    }
    response->keep_alive(keep_alive && keep_alive_);
    response->body() = std::move(reply.body);
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](const beast::error_code& ec, size_t) {
                        if (ec) return;
                        if (!response->keep_alive()) return self->Close();
                        self->ReadRequest();
                      });
  }

  void Close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(1));
    stream_.async_shutdown([self = shared_from_this()](const beast::error_code&) {});
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  HttpsContext& context_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<ingest::DeviceIdentity> identity_;
  ingest::ConnectionRefusal auth_refusal_ = ingest::ConnectionRefusal::kTlsHandshake;
  bool has_certificate_ = false;
  bool keep_alive_ = true;
  std::string peer_address_;  // "" if the socket had none at accept
  bool loopback_peer_ = false;
};

}  // namespace

HttpsListener::HttpsListener(asio::io_context& io, asio::ssl::context& tls, HttpsContext& context)
    : tls_(tls), context_(context), acceptor_(io) {}

Status HttpsListener::Listen(const std::string& address, uint16_t port) {
  return acceptor_.Listen(
      address, port,
      [this](tcp::socket socket) {
        std::make_shared<HttpsSession>(std::move(socket), tls_, context_)->Start();
      },
      // Address blocks are per request (Route): everyone else behind the address goes on.
      [](const tcp::endpoint&) { return true; });
}

void HttpsListener::StopAccepting() { acceptor_.Stop(); }

}  // namespace vigil::server
