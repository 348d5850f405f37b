#include "api/admin_routes.h"

#include <charconv>

#include "access/break_glass_review.h"
#include "access/user_changes.h"
#include "api/api_errors.h"
#include "api/json_reply.h"
#include "core/time_format.h"

namespace vigil::api {

using nlohmann::json;

HttpReply AdminRoutes::Handle(const ApiRequest& request, const Session& session) {
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
    if (Status s =
            context_.Require(request, session, access::Action::kManageUsers, "", "user/" + user);
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
      auto fields = StringMembers(request.body, {"patient", "user"});
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
    if (Status s = context_.Require(request, session, access::Action::kManageCareTeam, patient,
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
  if (path == "/security/reviews" && request.method == "GET") {
    if (Status s = context_.Require(request, session, access::Action::kReadReviews, "", "reviews");
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
  constexpr std::string_view kReviews = "/security/reviews/";
  if (path.rfind(kReviews, 0) == 0 && request.method == "POST") {
    // POST /security/reviews/{id} {"verdict": "justified"|"unjustified", "note": "..."}
    int64_t id = 0;
    const std::string_view digits = std::string_view(path).substr(kReviews.size());
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) {
      return Problem(404, "not_found", "Not found", "no such review");
    }
    if (Status s = context_.Require(request, session, access::Action::kCloseReviews, "",
                                    "review/" + std::to_string(id));
        !s.ok()) {
      return ProblemFor(s);
    }
    auto fields = StringMembers(request.body, {"verdict", "note"});
    if (!fields.ok()) return ProblemFor(fields.status());
    const auto verdict = access::ParseReviewVerdict((*fields)[0]);
    if (!verdict) {
      return ProblemFor(Status::InvalidArgument("verdict is justified or unjustified"));
    }
    auto closed = access::ReviewBreakGlass(deps_.store.access(), deps_.audit, now, id, *verdict,
                                           (*fields)[1], session.who.username);
    if (!closed.ok()) return ProblemFor(closed.status());
    return Json(200, {{"id", id}, {"verdict", (*fields)[0]}, {"open", false}});
  }
  return Problem(404, "not_found", "Not found", "no such resource");
}

}  // namespace vigil::api
