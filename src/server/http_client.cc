#include "server/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace vigil::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Url {
  bool tls = false;
  std::string host, port, target;
};

Result<Url> ParseUrl(const std::string& url) {
  Url out;
  std::string rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("not an http:// or https:// URL: " + url);
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    out.port = authority.substr(colon + 1);
    authority.resize(colon);
  } else {
    out.port = out.tls ? "443" : "80";
  }
  if (authority.size() > 2 && authority.front() == '[')
    authority = authority.substr(1, authority.size() - 2);
  out.host = authority;
  if (out.host.empty() || out.port.empty()) return Status::InvalidArgument("no host in " + url);
  return out;
}

template <typename Stream>
Result<HttpResult> Exchange(Stream& stream, const Url& url, const HttpCall& call) {
  http::request<http::string_body> request(
      call.method == "POST" ? http::verb::post : http::verb::get, url.target, 11);
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "vigil");
  if (call.method == "POST") {
    request.set(http::field::content_type, call.content_type);
    request.body() = call.body;
    request.prepare_payload();
  }
  beast::error_code ec;
  http::write(stream, request, ec);
  if (ec) return Status::Unavailable("cannot send to " + call.url + ": " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(call.max_answer_bytes);
  http::read(stream, buffer, parser, ec);
  if (ec) return Status::Unavailable("no answer from " + call.url + ": " + ec.message());
  const auto& response = parser.get();
  return HttpResult{static_cast<int>(response.result_int()),
                    std::string(response[http::field::content_type]), response.body()};
}

}  // namespace

Result<HttpResult> CallHttp(const HttpCall& call) {
  VIGIL_ASSIGN_OR_RETURN(const Url url, ParseUrl(call.url));
  asio::io_context io;
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) return Status::Unavailable("cannot resolve " + url.host + ": " + ec.message());
  if (!url.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(call.timeout);
    stream.connect(endpoints, ec);
    if (ec) return Status::Unavailable("cannot connect to " + call.url + ": " + ec.message());
    return Exchange(stream, url, call);
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  if (call.cafile.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    tls.load_verify_file(call.cafile, ec);
  }
  if (ec) return Status::InvalidArgument("cannot read the CA file " + call.cafile);
  tls.set_verify_mode(asio::ssl::verify_peer);
  tls.set_verify_callback(asio::ssl::host_name_verification(url.host));
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  beast::get_lowest_layer(stream).expires_after(call.timeout);
  beast::get_lowest_layer(stream).connect(endpoints, ec);
  if (ec) return Status::Unavailable("cannot connect to " + call.url + ": " + ec.message());
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Status::Unavailable("TLS with " + call.url + " failed: " + ec.message());
  return Exchange(stream, url, call);
}

}  // namespace vigil::server
