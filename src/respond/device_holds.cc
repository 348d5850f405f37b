#include "respond/device_holds.h"

#include <spdlog/spdlog.h>

#include "core/time_format.h"
#include "events/audit_records.h"

namespace vigil::respond {

Result<Hold> HoldDevice(store::Store& store, const std::set<std::string>& vitals_only_types,
                        const std::string& device_id, const std::string& reason, int64_t now_ms) {
  VIGIL_ASSIGN_OR_RETURN(auto device, store.FindDevice(device_id));
  if (!device) return Status::FailedPrecondition("no device " + device_id);
  // Held already (a repeat of the alert): the care team has its notice.
  if (device->quarantined) return Hold::kQuarantine;
  if (device->vitals_only) return Hold::kVitalsOnly;
  const Hold hold = vitals_only_types.count(device->type) ? Hold::kVitalsOnly : Hold::kQuarantine;
  VIGIL_RETURN_IF_ERROR(store.QuarantineDevice(device_id, reason, now_ms, hold));
  // The hold stands even if the notice cannot be filed; the log says so (no patient named).
  if (auto filed =
          store.alerts().InsertMonitoringNotice(NoticeOfHold(*device, hold, reason, now_ms));
      !filed.ok()) {
    spdlog::error("the care team's notice of device={}'s hold was not filed: {}", device_id,
                  filed.status().ToString());
  } else {
    spdlog::warn("CLINICAL NOTICE {}: device={} {}", *filed, device_id,
                 hold == Hold::kVitalsOnly ? "restricted to vital signs" : "quarantined");
  }
  return hold;
}

store::MonitoringNotice NoticeOfHold(const store::DeviceRecord& device, Hold hold,
                                     const std::string& reason, int64_t now_ms) {
  const std::string what = "device " + device.id + " (" + device.type + ")";
  const std::string when = FormatRfc3339Millis(now_ms);
  std::string text =
      hold == Hold::kQuarantine
          ? "Monitoring from " + what + " stopped at " + when +
                " because of a security response (" + reason +
                "): its readings are refused until it is released. Check the patient by other "
                "means."
          : "Monitoring from " + what + " continues, restricted to vital signs since " + when +
                " because of a security response (" + reason +
                "): its readings are still taken; anything else it sends is refused.";
  return {0, device.patient_id, device.id, std::move(text), now_ms, 0};
}

Status ReleaseDevice(store::Store& store, events::AuditTrail& audit, const std::string& device_id,
                     const std::string& by, int64_t now_ms, const std::string& reason) {
  VIGIL_RETURN_IF_ERROR(store.ReleaseDevice(device_id));
  VIGIL_RETURN_IF_ERROR(store.alerts().EndMonitoringNotices(device_id, now_ms).status());
  return audit.Append(events::Record(
      now_ms, events::audit::DeviceReleased{.device = device_id, .by = by, .reason = reason}));
}

}  // namespace vigil::respond
