#include "api/auth_routes.h"

#include <nlohmann/json.hpp>

#include "api/api_errors.h"
#include "api/json_reply.h"
#include "core/json_string.h"
#include "core/time_format.h"

namespace vigil::api {
namespace {

using nlohmann::json;

HttpReply Throttled(const Status& status, int64_t retry_after_ms) {
  HttpReply reply = ProblemFor(status);
  reply.headers.emplace_back("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
  return reply;
}

}  // namespace

HttpReply AuthRoutes::Handle(const ApiRequest& request) {
  if (request.method != "POST") {
    return MethodNotAllowed("POST");
  }
  if (request.path == "/auth/login") {
    auto fields = StringMembers(request.body, {"username", "password"});
    if (!fields.ok()) return ProblemFor(fields.status());
    const std::string& username = (*fields)[0];
    auto challenge = deps_.auth.Login(username, (*fields)[1], request.peer_address);
    if (challenge.status().code() == StatusCode::kResourceExhausted) {
      return Throttled(challenge.status(), deps_.auth.RetryAfterMs(username, request.peer_address));
    }
    if (!challenge.ok()) return ProblemFor(challenge.status());
    return Json(200, {{"challenge", challenge->challenge},
                      {"expires_at", FormatRfc3339Millis(challenge->expires_ms)},
                      {"next", "POST /auth/mfa with the challenge and a TOTP code"}});
  }
  if (request.path == "/auth/mfa") {
    auto fields = StringMembers(request.body, {"challenge", "code"});
    if (!fields.ok()) return ProblemFor(fields.status());
    auto session = deps_.auth.CompleteMfa((*fields)[0], (*fields)[1], request.peer_address);
    if (!session.ok()) return ProblemFor(session.status());
    const int64_t now = deps_.clock.NowMillis();
    return Json(200, {{"token", session->token},
                      {"token_type", "Bearer"},
                      {"expires_in", (session->idle_expires_ms - now) / 1000},
                      {"expires_at", FormatRfc3339Millis(session->absolute_expires_ms)},
                      {"must_change_password", session->must_change_password}});
  }
  auto session = deps_.auth.Authenticate(request.BearerToken(), request.peer_address);
  if (!session.ok()) return ProblemFor(session.status());
  if (request.path == "/auth/logout") {
    const Status out = deps_.auth.Logout(*session);
    return out.ok() ? NoContent() : ProblemFor(out);
  }
  if (request.path == "/auth/password") {
    auto fields = StringMembers(request.body, {"current", "new"});
    if (!fields.ok()) return ProblemFor(fields.status());
    const Status changed = deps_.auth.ChangePassword(*session, (*fields)[0], (*fields)[1]);
    return changed.ok() ? NoContent() : ProblemFor(changed);
  }
  return Problem(404, "not_found", "Not found", "no such resource");
}

}  // namespace vigil::api
