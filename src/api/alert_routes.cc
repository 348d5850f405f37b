#include "api/alert_routes.h"

#include <nlohmann/json.hpp>

#include "api/api_errors.h"
#include "core/json_string.h"
#include "core/time_format.h"
#include "respond/alert_record.h"
#include "respond/case_json.h"

namespace vigil::api {

using nlohmann::json;
using respond::AlertJson;

HttpReply AlertRoutes::Handle(const ApiRequest& request, const Session& session) {
  if (Status s = context_.Require(request, session, access::Action::kManageAlerts, "", "alerts");
      !s.ok()) {
    return ProblemFor(s);
  }
  constexpr std::string_view kPrefix = "/security/alerts";
  if (request.path == kPrefix) {
    if (request.method != "GET") return MethodNotAllowed("GET");
    const std::string status = request.Param("status").value_or("");
    if (!status.empty() && status != "open" && status != "acknowledged" && status != "resolved") {
      return ProblemFor(Status::InvalidArgument("status: open, acknowledged or resolved"));
    }
    auto alerts = deps_.store.alerts().ListAlerts(status, 1000);
    if (!alerts.ok()) return ProblemFor(alerts.status());
    json items = json::array();
    for (const auto& a : *alerts) items.push_back(AlertJson(a));
    return HttpReply(200, "application/json", DumpJson({{"alerts", items}}));
  }
  // GET /security/alerts/{id}; POST /security/alerts/{id}/acknowledge | /resolve {"note": ""}
  const auto target = ParseIdPath(std::string_view(request.path).substr(kPrefix.size()));
  if (!target) return Problem(404, "not_found", "Not found", "no such alert");
  const int64_t id = target->id;
  const std::string& verb = target->verb;
  if (verb.empty()) {
    if (request.method != "GET") return MethodNotAllowed("GET");
    auto alert = deps_.store.alerts().FindAlert(id);
    if (!alert.ok()) return ProblemFor(alert.status());
    if (!*alert) return ProblemFor(Status::NotFound("no such alert"));
    return HttpReply(200, "application/json", DumpJson(AlertJson(**alert)));
  }
  if (verb != "acknowledge" && verb != "resolve") {
    return Problem(404, "not_found", "Not found", "acknowledge or resolve");
  }
  if (request.method != "POST") return MethodNotAllowed("POST");
  auto note_or = NoteFromBody(request.body);
  if (!note_or.ok()) return ProblemFor(note_or.status());
  const std::string note = *note_or;
  const std::string status = verb == "acknowledge" ? "acknowledged" : "resolved";
  if (Status s =
          respond::ChangeAlertStatus(deps_.store.alerts(), deps_.audit, deps_.clock.NowMillis(), id,
                                     status, session.who.username, note);
      !s.ok()) {
    return ProblemFor(s);
  }
  auto alert = deps_.store.alerts().FindAlert(id);
  if (!alert.ok() || !*alert) return ProblemFor(Status::NotFound("no alert"));
  return HttpReply(200, "application/json", DumpJson(AlertJson(**alert)));
}

}  // namespace vigil::api
