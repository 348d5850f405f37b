// The security officer's incidents: the list, one incident's timeline (alerts raised, responses,
// status changes) and its alerts, closing it with a reason, and its breach report rendered on the
// page and downloadable as Markdown or JSON (each report recorded in the ledger, as the API's).
#include "console/console_http.h"
#include "console/pages.h"
#include "events/audit_records.h"
#include "respond/breach_report.h"
#include "respond/incidents.h"

namespace vigil::console {
namespace {

Status MayHandleIncidents(const PageContext& page) {
  return page.context.Require(page.request, page.session, access::Action::kManageAlerts, "",
                              "console:incidents");
}

Html TimeCell(int64_t ms) {
  Html h;
  h << "<td>";
  h.Time(ms) << "</td>";
  return h;
}

}  // namespace

api::HttpReply IncidentsPage(const PageContext& page) {
  if (!MayHandleIncidents(page).ok())
    return ErrorPage(page, 403, "Incidents are for security officers.");
  const std::string status =
      page.request.Param("status").value_or("open") == "closed" ? "closed" : "open";
  auto incidents = page.context.deps.store.alerts().ListIncidents(status, 500);
  if (!incidents.ok()) return ErrorPage(page, 503, "Incidents could not be read.");
  Html body;
  body << "<p><a href=\"/console/incidents?status=open\">Open</a> · "
          "<a href=\"/console/incidents?status=closed\">Closed</a></p>"
          "<table><thead><tr><th scope=\"col\">Incident</th><th scope=\"col\">Severity</th>"
          "<th scope=\"col\">About</th><th scope=\"col\">First</th><th scope=\"col\">Last</th>"
          "</tr></thead><tbody>";
  for (const auto& i : *incidents) {
    body << "<tr><td><a href=\"/console/incidents/";
    body.Int(i.id);
    body << "\">";
    body.Int(i.id).Text(": ").Text(i.title);
    body << "</a></td><td>";
    body.Text(i.severity);
    body << "</td><td>";
    std::string entities;
    for (const auto& e : i.entities) entities += (entities.empty() ? "" : ", ") + e;
    body.Text(entities);
    body << "</td>" << TimeCell(i.first_ms) << TimeCell(i.last_ms) << "</tr>";
  }
  body << "</tbody></table>";
  if (incidents->empty()) body << "<p>None.</p>";
  return page.Page(status == "open" ? "Open incidents" : "Closed incidents", body);
}

api::HttpReply IncidentPage(const PageContext& page, int64_t id) {
  if (!MayHandleIncidents(page).ok())
    return ErrorPage(page, 403, "Incidents are for security officers.");
  store::AlertStore& alerts = page.context.deps.store.alerts();
  auto incident = alerts.FindIncident(id);
  if (!incident.ok()) return ErrorPage(page, 503, "The incident could not be read.");
  if (!*incident) return ErrorPage(page, 404, "There is no such incident.");
  auto members = alerts.AlertsOfIncident(id);
  auto timeline = alerts.IncidentEvents(id);
  if (!members.ok() || !timeline.ok())
    return ErrorPage(page, 503, "The incident could not be read.");
  const store::IncidentRecord& i = **incident;
  Html body;
  body << "<p>";
  body.Text(i.title).Text(" · ").Text(i.severity).Text(" · ").Text(i.status);
  body << "</p>";
  if (!i.note.empty()) {
    body << "<p>Note: ";
    body.Text(i.note);
    body << "</p>";
  }
  body << "<h2>Timeline</h2><table><thead><tr><th scope=\"col\">When</th>"
          "<th scope=\"col\">What</th><th scope=\"col\">Detail</th></tr></thead><tbody>";
  for (const auto& e : *timeline) {
    body << "<tr>" << TimeCell(e.time_ms) << "<td>";
    body.Text(e.what);
    body << "</td><td>";
    if (e.alert_id > 0) {
      body << "<a href=\"/console/alerts/";
      body.Int(e.alert_id);
      body << "\">";
      body.Text(e.detail);
      body << "</a>";
    } else {
      body.Text(e.detail);
    }
    body << "</td></tr>";
  }
  body << "</tbody></table><h2>Breach report</h2><p>Who may have been affected, and by what: "
          "<a href=\"/console/incidents/";
  body.Int(i.id);
  body << "/report\">read it here</a>, or download it as <a href=\"/console/incidents/";
  body.Int(i.id);
  body << "/report.md\">Markdown</a> or <a href=\"/console/incidents/";
  body.Int(i.id);
  body << "/report.json\">JSON</a>. Each report is recorded in the audit ledger.</p>";
  if (i.status == "open") {
    body << "<h2>Close</h2><form class=\"stack\" method=\"post\" action=\"/console/incidents/";
    body.Int(i.id);
    body << "/close\">" << CsrfField(page.viewer)
         << "<label for=\"close-note\">Reason</label><textarea id=\"close-note\" name=\"note\" "
            "rows=\"2\" required></textarea><p><button type=\"submit\">Close the incident"
            "</button></p></form>";
  }
  Html title;
  title.Text("Incident ").Int(i.id);
  return page.Page("Incident", Html() << "<h2>" << title << "</h2>" << body);
}

api::HttpReply IncidentReport(const PageContext& page, int64_t id, std::string_view format) {
  if (!MayHandleIncidents(page).ok())
    return ErrorPage(page, 403, "Incidents are for security officers.");
  const int64_t now = page.context.deps.clock.NowMillis();
  auto report = respond::BuildBreachReport(page.context.deps.store, id, now);
  if (!report.ok()) {
    return ErrorPage(page, report.status().code() == StatusCode::kNotFound ? 404 : 503,
                     "The report could not be made: " + report.status().message());
  }
  if (Status s = page.context.deps.audit.Append(
          events::Record(now, events::audit::BreachReported{.incident = id,
                                                            .by = page.session.who.username,
                                                            .patients = report->patients.size()}));
      !s.ok()) {
    return ErrorPage(page, 503, "The report could not be recorded, so it is not shown.");
  }
  const std::string name = "incident-" + std::to_string(id) + "-breach-report";
  if (format == "md" || format == "json") {
    api::HttpReply reply(200, format == "md" ? "text/markdown; charset=utf-8" : "application/json",
                         format == "md" ? respond::BreachReportMarkdown(*report)
                                        : respond::BreachReportJson(*report));
    reply.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"" + name + "." + std::string(format) + "\"");
    AddConsoleHeaders(reply);
    return reply;
  }
  Html body;
  body << "<pre>";
  body.Text(respond::BreachReportMarkdown(*report));
  body << "</pre>";
  return page.Page("Breach report", body);
}

api::HttpReply SubmitIncidentClose(const PageContext& page, int64_t id) {
  if (!MayHandleIncidents(page).ok())
    return ErrorPage(page, 403, "Incidents are for security officers.");
  const std::string note = FormValue(page.form, "note");
  if (note.empty()) return ErrorPage(page, 400, "Say why the incident is closed.");
  const Status closed = respond::CloseIncident(
      page.context.deps.store.alerts(), page.context.deps.audit,
      page.context.deps.clock.NowMillis(), id, page.session.who.username, note);
  if (!closed.ok()) {
    return ErrorPage(page, closed.code() == StatusCode::kNotFound ? 404 : 503,
                     "The incident could not be closed: " + closed.message());
  }
  return Redirect("/console/incidents/" + std::to_string(id));
}

}  // namespace vigil::console
