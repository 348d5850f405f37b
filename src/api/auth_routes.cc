// /auth/* (login, MFA, logout, password change), /admin/* and /security/* of ApiService.
#include <nlohmann/json.hpp>

#include "access/user_changes.h"
#include "api/api_service.h"
#include "core/json_string.h"
#include "core/time_format.h"

namespace vigil::api {
namespace {

using nlohmann::json;

HttpReply Json(int status, const json& body) {
  return HttpReply(status, "application/json", DumpJson(body));
}

HttpReply NoContent() { return HttpReply(204, "application/json", ""); }

// The string members `names` of a JSON object body; InvalidArgument naming what is missing.
Result<std::vector<std::string>> Members(const ApiRequest& request,
                                         std::initializer_list<std::string_view> names) {
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Status::InvalidArgument("the body must be a JSON object");
  }
  std::vector<std::string> out;
  for (std::string_view name : names) {
    const auto it = body.find(name);
    if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return Status::InvalidArgument("\"" + std::string(name) + "\" (a string) is required");
    }
    out.push_back(it->get<std::string>());
  }
  return out;
}

HttpReply Throttled(const Status& status, int64_t retry_after_ms) {
  HttpReply reply = ProblemFor(status);
  reply.headers.emplace_back("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
  return reply;
}

}  // namespace

HttpReply ApiService::HandleAuth(const ApiRequest& request) {
  if (request.method != "POST") {
    return MethodNotAllowed("POST");
  }
  if (request.path == "/auth/login") {
    auto fields = Members(request, {"username", "password"});
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
    auto fields = Members(request, {"challenge", "code"});
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
    auto fields = Members(request, {"current", "new"});
    if (!fields.ok()) return ProblemFor(fields.status());
    const Status changed = deps_.auth.ChangePassword(*session, (*fields)[0], (*fields)[1]);
    return changed.ok() ? NoContent() : ProblemFor(changed);
  }
  return Problem(404, "not_found", "Not found", "no such resource");
}

HttpReply ApiService::HandleAdmin(const ApiRequest& request, const Session& session) {
  const int64_t now = deps_.clock.NowMillis();
  const std::string& path = request.path;
  constexpr std::string_view kUsers = "/admin/users/";
  const size_t verb_at = path.rfind('/');
  if (path.rfind(kUsers, 0) == 0 && verb_at > kUsers.size() && request.method == "POST") {
    // POST /admin/users/{user}/revoke-sessions | /unlock
    const std::string user = path.substr(kUsers.size(), verb_at - kUsers.size());
    const std::string verb = path.substr(verb_at + 1);
    if (verb != "revoke-sessions" && verb != "unlock") {
      return Problem(404, "not_found", "Not found", "revoke-sessions or unlock");
    }
    if (Status s = Require(request, session, access::Action::kManageUsers, "", "user/" + user);
        !s.ok()) {
      return ProblemFor(s);
    }
    if (verb == "unlock") {
      if (Status s = access::UnlockLogin(deps_.store.access(), deps_.audit, now, user,
                                         session.who.username);
          !s.ok()) {
        return ProblemFor(s);
      }
      deps_.auth.Unlock(user);  // at once here; the hub's poll would within a second
      return Json(200, {{"user", user}, {"unlocked", true}});
    }
    auto count =
        access::RevokeSessions(deps_.store.access(), deps_.audit, now, user, session.who.username);
    if (!count.ok()) return ProblemFor(count.status());
    return Json(200, {{"user", user}, {"revoked_sessions", *count}});
  }
  if (path == "/admin/careteam" && (request.method == "POST" || request.method == "DELETE")) {
    std::string patient, user;
    if (request.method == "POST") {
      auto fields = Members(request, {"patient", "user"});
      if (!fields.ok()) return ProblemFor(fields.status());
      patient = (*fields)[0];
      user = (*fields)[1];
    } else {
      patient = request.Param("patient").value_or("");
      user = request.Param("user").value_or("");
      if (patient.empty() || user.empty()) {
        return ProblemFor(Status::InvalidArgument("?patient=&user= are required"));
      }
    }
    if (Status s = Require(request, session, access::Action::kManageCareTeam, patient,
                           "care-team/" + user);
        !s.ok()) {
      return ProblemFor(s);
    }
    const Status changed = request.method == "POST"
                               ? access::AddToCareTeam(deps_.store.access(), deps_.audit, now,
                                                       patient, user, session.who.username)
                               : access::RemoveFromCareTeam(deps_.store.access(), deps_.audit, now,
                                                            patient, user, session.who.username);
    if (!changed.ok()) return ProblemFor(changed);
    return request.method == "POST" ? Json(201, {{"patient", patient}, {"user", user}})
                                    : NoContent();
  }
  if (path.rfind("/security/alerts", 0) == 0) return HandleAlerts(request, session);
  if (path.rfind("/security/incidents", 0) == 0) return HandleIncidents(request, session);
  if (path == "/security/reviews" && request.method == "GET") {
    if (Status s = Require(request, session, access::Action::kReadReviews, "", "reviews");
        !s.ok()) {
      return ProblemFor(s);
    }
    auto reviews = deps_.store.access().ListReviews(request.Param("all") != "true");
    if (!reviews.ok()) return ProblemFor(reviews.status());
    json items = json::array();
    for (const auto& r : *reviews) {
      items.push_back({{"id", r.id},
                       {"user", r.username},
                       {"patient", r.patient_id},
                       {"reason", r.reason},
                       {"resource", r.resource},
                       {"at", FormatRfc3339Millis(r.created_ms)},
                       {"open", r.open}});
    }
    return Json(200, {{"reviews", items}});
  }
  return Problem(404, "not_found", "Not found", "no such resource");
}

}  // namespace vigil::api
