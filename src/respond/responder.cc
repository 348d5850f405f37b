#include "respond/responder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace vigil::respond {

using events::AlertKind;
using events::Entity;
using events::ResponseAction;

Playbooks DefaultPlaybooks() {
  return {{{AlertKind::kDeviceClone, ResponseAction::kQuarantineDevice},
           {AlertKind::kPasswordSpraying, ResponseAction::kBlockAddress},
           {AlertKind::kRefusedConnections, ResponseAction::kBlockAddress},
           {AlertKind::kManyPatients, ResponseAction::kRevokeSessions},
           {AlertKind::kSessionNewAddress, ResponseAction::kRevokeSessions},
           {AlertKind::kBulkReads, ResponseAction::kRevokeSessions},
           {AlertKind::kTopicViolation, ResponseAction::kQuarantineDevice}},
          15};
}

Result<Playbooks> PlaybooksOf(const RespondOptions& options) {
  Playbooks p = DefaultPlaybooks();
  for (const auto& [kind_name, action_name] : options.actions) {
    const auto kind = events::ParseAlertKind(kind_name);
    if (!kind) {
      return Status::InvalidArgument("config [respond]: unknown alert kind '" + kind_name + "'");
    }
    const auto action = events::ParseResponseAction(action_name);
    if (!action) {
      return Status::InvalidArgument("config [respond] " + kind_name +
                                     " must be quarantine-device, block-address, "
                                     "revoke-sessions or none");
    }
    p.action_by_kind[*kind] = *action;
  }
  p.block_minutes = options.block_minutes;
  return p;
}

namespace {

// "alert 12 (password-spraying)": what a hold or a block says it is for.
std::string AlertReason(const events::Alert& alert, int64_t alert_id) {
  return "alert " + std::to_string(alert_id) + " (" +
         std::string(events::AlertKindName(alert.kind)) + ")";
}

}  // namespace

Responder::Responder(const Clock& clock, Containment& containment, Playbooks playbooks,
                     Record record)
    : clock_(clock),
      containment_(containment),
      playbooks_(std::move(playbooks)),
      record_(std::move(record)) {}

void Responder::Respond(const events::Alert& alert, int64_t alert_id) {
  MarkSuspectReadings(alert, alert_id);
  auto it = playbooks_.action_by_kind.find(alert.kind);
  if (it == playbooks_.action_by_kind.end() || it->second == ResponseAction::kNone) return;
  const std::string_view action = events::ResponseActionName(it->second);
  auto target = Act(it->second, alert, alert_id);
  if (!target.ok()) {
    spdlog::error("playbook {} for alert {} failed: {}", action, alert_id,
                  target.status().ToString());
    return;
  }
  spdlog::warn("RESPONSE {} {} (alert {})", action, *target, alert_id);
  record_({alert_id, it->second, *target, clock_.NowMillis()});
}

void Responder::MarkSuspectReadings(const events::Alert& alert, int64_t alert_id) {
  const auto seqs = alert.evidence.find("suspect_seqs");
  const std::string device = alert.entity.IdIf(Entity::Type::kDevice);
  if (seqs == alert.evidence.end() || device.empty()) return;
  std::vector<uint64_t> numbers;
  for (size_t at = 0; at < seqs->second.size();) {
    const size_t comma = std::min(seqs->second.find(',', at), seqs->second.size());
    uint64_t n = 0;
    const auto [end, error] =
        std::from_chars(seqs->second.data() + at, seqs->second.data() + comma, n);
    if (error == std::errc() && n > 0) numbers.push_back(n);
    at = comma + 1;
  }
  const auto reason = alert.evidence.find("suspect_reason");
  const Status marked = containment_.MarkSuspect(
      device, numbers, reason == alert.evidence.end() ? "suspect" : reason->second);
  if (!marked.ok()) {
    spdlog::error("readings of alert {} not marked suspect: {}", alert_id, marked.ToString());
  }
}

Result<std::string> Responder::Act(ResponseAction action, const events::Alert& alert,
                                   int64_t alert_id) {
  switch (action) {
    case ResponseAction::kQuarantineDevice: {
      const std::string device = alert.entity.IdIf(Entity::Type::kDevice);
      if (device.empty()) return Status::InvalidArgument("the alert names no device");
      VIGIL_RETURN_IF_ERROR(containment_.QuarantineDevice(
          device, std::string(events::AlertKindName(alert.kind)), clock_.NowMillis()));
      return device;
    }
    case ResponseAction::kBlockAddress: {
      std::string address = alert.entity.IdIf(Entity::Type::kAddress);
      if (address.empty()) {
        auto latest = alert.evidence.find("latest_address");
        if (latest != alert.evidence.end()) address = latest->second;
      }
      if (address.empty()) return Status::InvalidArgument("the alert names no address");
      VIGIL_RETURN_IF_ERROR(containment_.BlockAddress(address, playbooks_.block_minutes * 60'000,
                                                      AlertReason(alert, alert_id)));
      return address;
    }
    case ResponseAction::kRevokeSessions: {
      const std::string user = alert.entity.IdIf(Entity::Type::kUser);
      if (user.empty()) return Status::InvalidArgument("the alert names no user");
      VIGIL_RETURN_IF_ERROR(containment_.RevokeSessions(user, AlertReason(alert, alert_id)));
      return user;
    }
    case ResponseAction::kNone:
      break;
  }
  return std::string();
}

}  // namespace vigil::respond
