// What an HTTP handler answers, independent of the server that sends it, and RFC 9457
// problem+json errors.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::api {

struct HttpReply {
  HttpReply() = default;
  HttpReply(int status_code, std::string type, std::string text)
      : status(status_code), content_type(std::move(type)), body(std::move(text)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra: Allow, Retry-After, ...
};

// An RFC 9457 problem: type "urn:vigil:problem:<kind>", title, status, detail.
HttpReply Problem(int status, std::string_view kind, std::string_view title,
                  std::string_view detail);

// 405 with the Allow header naming the method(s) that are.
HttpReply MethodNotAllowed(std::string_view allowed);

}  // namespace vigil::api
