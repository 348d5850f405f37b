// A small blocking HTTP/1.1 client for the hub's few outbound calls (witnesses, a checkpoint
// kept elsewhere): http:// or https:// (TLS 1.2+, the server's certificate verified against
// `cafile`, or the system's CAs when none is given, and its name checked), a deadline on the
// whole exchange, and a cap on the answer's size.
#pragma once

#include <chrono>
#include <string>

#include "core/status.h"

namespace vigil::server {

struct HttpResult {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct HttpCall {
  std::string method = "GET";
  std::string url;  // http(s)://host[:port]/path
  std::string body = {};
  std::string content_type = "text/plain; charset=utf-8";
  std::string cafile = {};  // PEM; "" the system's
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  size_t max_answer_bytes = 1 << 20;
};

// The answer, whatever its status; Unavailable when the server cannot be reached or answers
// nothing readable in time, InvalidArgument for a URL it cannot take.
Result<HttpResult> CallHttp(const HttpCall& call);

}  // namespace vigil::server
