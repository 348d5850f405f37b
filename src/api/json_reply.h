// Replies with a JSON body (application/json), for the API's non-FHIR routes.
#pragma once

#include <nlohmann/json.hpp>

#include "api/http_reply.h"
#include "core/json_string.h"

namespace vigil::api {

inline HttpReply Json(int status, const nlohmann::json& body) {
  return HttpReply(status, "application/json", DumpJson(body));
}

inline HttpReply NoContent() { return HttpReply(204, "application/json", ""); }

}  // namespace vigil::api
