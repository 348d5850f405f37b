// Holding a device a containment playbook acts on, without cutting a patient's monitoring off
// unnoticed: a device of a type the hub keeps streaming ([respond] vitals_only_device_types) is
// restricted to sending vital signs instead of quarantined, and either way the patient's care
// team gets a notice (a FHIR Flag: what stopped, when, why) until the device is released.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "core/status.h"
#include "events/audit_trail.h"
#include "store/store.h"

namespace vigil::respond {

using Hold = store::DeviceRegistry::Hold;

// Quarantines `device_id`, or restricts it to vital signs if its type is in
// `vitals_only_types`, and files the notice for its patient's care team. `reason`: the alert
// kind. FailedPrecondition for an unknown device. The hold taken.
Result<Hold> HoldDevice(store::Store& store, const std::set<std::string>& vitals_only_types,
                        const std::string& device_id, const std::string& reason, int64_t now_ms);

// The care team's notice of a hold on `device` from `now_ms` (no values, no names).
store::MonitoringNotice NoticeOfHold(const store::DeviceRecord& device, Hold hold,
                                     const std::string& reason, int64_t now_ms);

// Lets a held device connect and send again (`vigil device release`): the hold is lifted, its
// notices end, and the ledger records who released it and why. NotFound if it was not held.
Status ReleaseDevice(store::Store& store, events::AuditTrail& audit, const std::string& device_id,
                     const std::string& by, int64_t now_ms, const std::string& reason = "");

}  // namespace vigil::respond
