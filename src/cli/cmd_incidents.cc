// `vigil incidents list|show|report|close`: incidents (alerts grouped into a case), their
// timelines and breach reports from the command line. Closing and reports are recorded in the
// ledger, as over HTTPS.
#include <CLI/CLI.hpp>
#include <iostream>

#include "admin/hub_admin.h"
#include "admin/user_admin.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/json_string.h"
#include "core/time_format.h"
#include "events/audit_records.h"
#include "respond/breach_report.h"
#include "respond/case_json.h"
#include "respond/incidents.h"

namespace vigil::cli {
namespace {

Status RunIncidentsList(const std::string& data_dir, const std::string& status) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto incidents, hub.store->alerts().ListIncidents(status, 1000));
  std::cout << "id\tseverity\tstatus\tfirst_seen\tlast_seen\ttitle\tentities\n";
  for (const auto& i : incidents) {
    std::cout << i.id << "\t" << i.severity << "\t" << i.status << "\t"
              << FormatRfc3339Millis(i.first_ms) << "\t" << FormatRfc3339Millis(i.last_ms) << "\t"
              << i.title << "\t";
    for (size_t k = 0; k < i.entities.size(); ++k) std::cout << (k ? " " : "") << i.entities[k];
    std::cout << "\n";
  }
  return Status::Ok();
}

Status RunIncidentShow(const std::string& data_dir, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  store::AlertStore& alerts = hub.store->alerts();
  VIGIL_ASSIGN_OR_RETURN(auto incident, alerts.FindIncident(id));
  if (!incident) return Status::NotFound("no incident " + std::to_string(id));
  VIGIL_ASSIGN_OR_RETURN(auto members, alerts.AlertsOfIncident(id));
  VIGIL_ASSIGN_OR_RETURN(auto timeline, alerts.IncidentEvents(id));
  std::cout << DumpJson(respond::IncidentDetailJson(*incident, members, timeline), 2) << "\n";
  return Status::Ok();
}

Status RunIncidentReport(const std::string& data_dir, int64_t id, const std::string& format,
                         const std::string& out) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  const int64_t now = SystemClock::Instance().NowMillis();
  VIGIL_ASSIGN_OR_RETURN(respond::BreachReport report,
                         respond::BuildBreachReport(*hub.store, id, now));
  VIGIL_RETURN_IF_ERROR(hub.audit->Append(
      events::Record(now, events::audit::BreachReported{
                              .incident = id, .by = "cli", .patients = report.patients.size()})));
  const std::string text = format == "json" ? respond::BreachReportJson(report) + "\n"
                                            : respond::BreachReportMarkdown(report);
  if (out.empty()) {
    std::cout << text;
    return Status::Ok();
  }
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(out, text, 0600));
  std::cerr << "Breach report for incident " << id << " (" << report.patients.size()
            << " patients) written to " << out << "\n";
  return Status::Ok();
}

Status RunIncidentClose(const std::string& data_dir, int64_t id, const std::string& note) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(respond::CloseIncident(
      hub.store->alerts(), *hub.audit, SystemClock::Instance().NowMillis(), id, "cli", note));
  std::cout << "Incident " << id << " closed\n";
  return Status::Ok();
}

}  // namespace

void AddIncidentCommands(CLI::App& app, Status& status) {
  auto* incidents = app.add_subcommand("incidents", "Incidents: related alerts grouped into a case")
                        ->require_subcommand(1);
  static std::string dir, filter, note, format = "markdown", out;
  static int64_t id = 0;
  auto* list = incidents->add_subcommand("list", "Newest first");
  list->add_option("--data-dir", dir)->required();
  list->add_option("--status", filter, "open or closed (default: all)")
      ->check(CLI::IsMember({"open", "closed"}));
  list->callback([&status] { status = RunIncidentsList(dir, filter); });
  auto* show = incidents->add_subcommand("show", "One incident with its alerts and timeline");
  show->add_option("--data-dir", dir)->required();
  show->add_option("--id", id)->required();
  show->callback([&status] { status = RunIncidentShow(dir, id); });
  auto* report = incidents->add_subcommand(
      "report", "The breach report: affected patients, HIPAA risk factors, deadlines");
  report->add_option("--data-dir", dir)->required();
  report->add_option("--id", id)->required();
  report->add_option("--format", format, "markdown (default) or json")
      ->check(CLI::IsMember({"markdown", "json"}));
  report->add_option("--out", out, "Write to this file (0600) instead of standard output");
  report->callback([&status] { status = RunIncidentReport(dir, id, format, out); });
  auto* close = incidents->add_subcommand("close", "Close an incident");
  close->add_option("--data-dir", dir)->required();
  close->add_option("--id", id)->required();
  close->add_option("--note", note, "Why (recorded in the ledger)");
  close->callback([&status] { status = RunIncidentClose(dir, id, note); });
}

}  // namespace vigil::cli
