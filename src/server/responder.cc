#include "server/responder.h"

#include <spdlog/spdlog.h>

namespace vigil::server {
namespace {

// "device:dev-1" -> "dev-1" when the entity is of `kind`.
std::string EntityOf(const detect::Alert& alert, std::string_view kind) {
  const std::string prefix = std::string(kind) + ":";
  return alert.entity.rfind(prefix, 0) == 0 ? alert.entity.substr(prefix.size()) : std::string();
}

}  // namespace

Playbooks DefaultPlaybooks() {
  return {{{"device-clone", "quarantine-device"},
           {"password-spraying", "block-address"},
           {"refused-connections", "block-address"},
           {"many-patients", "revoke-sessions"},
           {"session-new-address", "revoke-sessions"},
           {"bulk-reads", "revoke-sessions"},
           {"topic-violation", "quarantine-device"}},
          15};
}

Status CheckAction(const std::string& action) {
  if (action == "quarantine-device" || action == "block-address" || action == "revoke-sessions" ||
      action == "none") {
    return Status::Ok();
  }
  return Status::InvalidArgument(
      "a playbook action is quarantine-device, block-address, "
      "revoke-sessions or none, not '" +
      action + "'");
}

Responder::Responder(const Clock& clock, store::Store& store, DeviceDirectory& directory,
                     AddressBlocklist& blocklist, Playbooks playbooks, Record record)
    : clock_(clock),
      store_(store),
      directory_(directory),
      blocklist_(blocklist),
      playbooks_(std::move(playbooks)),
      record_(std::move(record)) {}

void Responder::Respond(const detect::Alert& alert, int64_t alert_id) {
  auto it = playbooks_.action_by_kind.find(alert.kind);
  if (it == playbooks_.action_by_kind.end() || it->second == "none") return;
  std::string target;
  const Status done = Act(it->second, alert, target);
  if (!done.ok()) {
    spdlog::error("playbook {} for alert {} failed: {}", it->second, alert_id, done.ToString());
    return;
  }
  spdlog::warn("RESPONSE {} {} (alert {})", it->second, target, alert_id);
  record_({ledger::EntryType::kResponseTaken,
           clock_.NowMillis(),
           {{"alert", std::to_string(alert_id)}, {"action", it->second}, {"target", target}}});
}

Status Responder::Act(const std::string& action, const detect::Alert& alert, std::string& target) {
  if (action == "quarantine-device") {
    target = EntityOf(alert, "device");
    if (target.empty()) return Status::InvalidArgument("the alert names no device");
    VIGIL_RETURN_IF_ERROR(store_.QuarantineDevice(target, alert.kind, clock_.NowMillis()));
    directory_.RefreshRevocations();  // drops its live connection now
    return Status::Ok();
  }
  if (action == "block-address") {
    target = EntityOf(alert, "address");
    if (target.empty()) {
      auto latest = alert.evidence.find("latest_address");
      if (latest != alert.evidence.end()) target = latest->second;
    }
    if (target.empty()) return Status::InvalidArgument("the alert names no address");
    blocklist_.Block(target, playbooks_.block_minutes * 60'000);
    return Status::Ok();
  }
  if (action == "revoke-sessions") {
    target = EntityOf(alert, "user");
    if (target.empty()) return Status::InvalidArgument("the alert names no user");
    return store_.access().DeleteUserSessions(target).status();
  }
  return Status::Ok();
}

}  // namespace vigil::server
