#include "api/incident_routes.h"

#include <nlohmann/json.hpp>

#include "api/api_errors.h"
#include "core/json_string.h"
#include "events/audit_records.h"
#include "respond/breach_report.h"
#include "respond/case_json.h"
#include "respond/incidents.h"

namespace vigil::api {

using nlohmann::json;

HttpReply IncidentRoutes::Handle(const ApiRequest& request, const Session& session) {
  if (Status s = context_.Require(request, session, access::Action::kManageAlerts, "", "incidents");
      !s.ok()) {
    return ProblemFor(s);
  }
  store::AlertStore& alerts = deps_.store.alerts();
  constexpr std::string_view kPrefix = "/security/incidents";
  if (request.path == kPrefix) {
    if (request.method != "GET") return MethodNotAllowed("GET");
    const std::string status = request.Param("status").value_or("");
    if (!status.empty() && status != "open" && status != "closed") {
      return ProblemFor(Status::InvalidArgument("status: open or closed"));
    }
    auto incidents = alerts.ListIncidents(status, 1000);
    if (!incidents.ok()) return ProblemFor(incidents.status());
    json items = json::array();
    for (const auto& i : *incidents) items.push_back(respond::IncidentJson(i));
    return HttpReply(200, "application/json", DumpJson({{"incidents", items}}));
  }
  const auto target = ParseIdPath(std::string_view(request.path).substr(kPrefix.size()));
  if (!target) return Problem(404, "not_found", "Not found", "no such incident");
  const int64_t now = deps_.clock.NowMillis();
  if (target->verb == "close") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    auto note = NoteFromBody(request.body);
    if (!note.ok()) return ProblemFor(note.status());
    if (Status s = respond::CloseIncident(alerts, deps_.audit, now, target->id,
                                          session.who.username, *note);
        !s.ok()) {
      return ProblemFor(s);
    }
  } else if (target->verb == "report") {
    if (request.method != "GET") return MethodNotAllowed("GET");
    const std::string format = request.Param("format").value_or("json");
    if (format != "json" && format != "markdown") {
      return ProblemFor(Status::InvalidArgument("format: json or markdown"));
    }
    auto report = respond::BuildBreachReport(deps_.store, target->id, now);
    if (!report.ok()) return ProblemFor(report.status());
    if (Status s = deps_.audit.Append(events::Record(
            now, events::audit::BreachReported{.incident = target->id,
                                               .by = session.who.username,
                                               .patients = report->patients.size()}));
        !s.ok()) {
      return ProblemFor(s);
    }
    return format == "json" ? HttpReply(200, "application/json", respond::BreachReportJson(*report))
                            : HttpReply(200, "text/markdown; charset=utf-8",
                                        respond::BreachReportMarkdown(*report));
  } else if (!target->verb.empty()) {
    return Problem(404, "not_found", "Not found", "report or close");
  } else if (request.method != "GET") {
    return MethodNotAllowed("GET");
  }
  auto incident = alerts.FindIncident(target->id);
  if (!incident.ok()) return ProblemFor(incident.status());
  if (!*incident) return ProblemFor(Status::NotFound("no such incident"));
  auto members = alerts.AlertsOfIncident(target->id);
  if (!members.ok()) return ProblemFor(members.status());
  auto timeline = alerts.IncidentEvents(target->id);
  if (!timeline.ok()) return ProblemFor(timeline.status());
  return HttpReply(200, "application/json",
                   DumpJson(respond::IncidentDetailJson(**incident, *members, *timeline)));
}

}  // namespace vigil::api
