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

}  // namespace vigil::api
