// /security/alerts of ApiService: the security officer lists, acknowledges and resolves the
// detection engine's alerts. Status changes are recorded in the ledger.
#include <charconv>
#include <nlohmann/json.hpp>

#include "api/api_service.h"
#include "core/json_string.h"
#include "core/time_format.h"
#include "detect/alert_record.h"

namespace vigil::api {
namespace {

using nlohmann::json;

json AlertJson(const store::AlertRecord& a) {
  json evidence = json::parse(a.evidence_json, nullptr, false);
  return {{"id", a.id},
          {"kind", a.kind},
          {"severity", a.severity},
          {"entity", a.entity},
          {"technique", a.technique},
          {"summary", a.summary},
          {"evidence", evidence.is_discarded() ? json::object() : evidence},
          {"first_seen", FormatRfc3339Millis(a.first_ms)},
          {"last_seen", FormatRfc3339Millis(a.last_ms)},
          {"count", a.count},
          {"status", a.status},
          {"note", a.note}};
}

}  // namespace

HttpReply ApiService::HandleAlerts(const ApiRequest& request, const Session& session) {
  auto decision = Authorize(request, session, access::Action::kManageAlerts, "", "alerts");
  if (!decision.ok()) return ProblemFor(decision.status());
  if (!decision->allowed())
    return ProblemFor(Status::PermissionDenied("not permitted for this role"));
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
  // POST /security/alerts/{id}/acknowledge | /resolve  {"note": "..."}
  const std::string rest = request.path.substr(kPrefix.size());
  const size_t slash = rest.find('/', 1);
  if (rest.size() < 2 || rest[0] != '/' || slash == std::string::npos) {
    return Problem(404, "not_found", "Not found", "no such resource");
  }
  const std::string id_text = rest.substr(1, slash - 1), verb = rest.substr(slash + 1);
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size()) {
    return Problem(404, "not_found", "Not found", "no such alert");
  }
  if (verb != "acknowledge" && verb != "resolve") {
    return Problem(404, "not_found", "Not found", "acknowledge or resolve");
  }
  if (request.method != "POST") return MethodNotAllowed("POST");
  const json body = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() ||
      (body.contains("note") && !body["note"].is_string())) {
    return ProblemFor(Status::InvalidArgument("the body is {\"note\": \"...\"}"));
  }
  const std::string note = body.value("note", "");
  const std::string status = verb == "acknowledge" ? "acknowledged" : "resolved";
  if (Status s =
          detect::ChangeAlertStatus(deps_.store.alerts(), deps_.audit, deps_.clock.NowMillis(), id,
                                    status, session.who.username, note);
      !s.ok()) {
    return ProblemFor(s);
  }
  auto alert = deps_.store.alerts().FindAlert(id);
  if (!alert.ok() || !*alert) return ProblemFor(Status::NotFound("no alert " + id_text));
  return HttpReply(200, "application/json", DumpJson(AlertJson(**alert)));
}

}  // namespace vigil::api
