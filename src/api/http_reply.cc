#include "api/http_reply.h"

#include <nlohmann/json.hpp>

#include "core/json_string.h"

namespace vigil::api {

HttpReply Problem(int status, std::string_view kind, std::string_view title,
                  std::string_view detail) {
  const nlohmann::json body = {{"type", "urn:vigil:problem:" + std::string(kind)},
                               {"title", title},
                               {"status", status},
                               {"detail", detail}};
  return {status, "application/problem+json", DumpJson(body)};
}

HttpReply MethodNotAllowed(std::string_view allowed) {
  HttpReply reply =
      Problem(405, "method_not_allowed", "Method not allowed", "use " + std::string(allowed));
  reply.headers.emplace_back("Allow", std::string(allowed));
  return reply;
}

}  // namespace vigil::api
