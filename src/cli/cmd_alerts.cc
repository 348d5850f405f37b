// `vigil alerts list|show|ack|resolve`: the detection engine's alerts from the command line.
#include <CLI/CLI.hpp>
#include <iostream>

#include "admin/hub_admin.h"
#include "admin/user_admin.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/json_string.h"
#include "core/time_format.h"
#include "respond/alert_record.h"
#include "respond/case_json.h"

namespace vigil::cli {
namespace {

Status RunAlertsList(const std::string& data_dir, const std::string& status) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto alerts, hub.store->alerts().ListAlerts(status, 1000));
  std::cout << "id\tseverity\tkind\tentity\tcount\tlast_seen\tstatus\tsummary\n";
  for (const auto& a : alerts) {
    std::cout << a.id << "\t" << a.severity << "\t" << a.kind << "\t" << a.entity << "\t" << a.count
              << "\t" << FormatRfc3339Millis(a.last_ms) << "\t" << a.status << "\t" << a.summary
              << "\n";
  }
  return Status::Ok();
}

Status RunAlertShow(const std::string& data_dir, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto alert, hub.store->alerts().FindAlert(id));
  if (!alert) return Status::NotFound("no alert " + std::to_string(id));
  std::cout << DumpJson(respond::AlertJson(*alert), 2) << "\n";
  return Status::Ok();
}

Status RunAlertsSetStatus(const std::string& data_dir, int64_t id, const std::string& status,
                          const std::string& note) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(respond::ChangeAlertStatus(hub.store->alerts(), *hub.audit,
                                                   SystemClock::Instance().NowMillis(), id, status,
                                                   "cli", note));
  std::cout << "Alert " << id << " " << status << "\n";
  return Status::Ok();
}

}  // namespace

void AddAlertCommands(CLI::App& app, Status& status) {
  auto* alerts =
      app.add_subcommand("alerts", "The detection engine's alerts")->require_subcommand(1);
  static std::string dir, filter, note;
  static int64_t id = 0;
  auto* list = alerts->add_subcommand("list", "Newest first");
  list->add_option("--data-dir", dir)->required();
  list->add_option("--status", filter, "open, acknowledged or resolved (default: all)")
      ->check(CLI::IsMember({"open", "acknowledged", "resolved"}));
  list->callback([&status] { status = RunAlertsList(dir, filter); });
  auto* show = alerts->add_subcommand("show", "One alert with its evidence");
  show->add_option("--data-dir", dir)->required();
  show->add_option("--id", id)->required();
  show->callback([&status] { status = RunAlertShow(dir, id); });
  for (const auto& [verb, new_status] :
       {std::pair<const char*, const char*>{"ack", "acknowledged"}, {"resolve", "resolved"}}) {
    auto* cmd = alerts->add_subcommand(verb, std::string("Mark an alert ") + new_status);
    cmd->add_option("--data-dir", dir)->required();
    cmd->add_option("--id", id)->required();
    cmd->add_option("--note", note, "Why (recorded in the ledger)");
    cmd->callback(
        [&status, s = std::string(new_status)] { status = RunAlertsSetStatus(dir, id, s, note); });
  }
}

}  // namespace vigil::cli
