// Alerts in their stored form (store::AlertRecord), and the changes people make to them.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "events/alert.h"
#include "events/audit_trail.h"
#include "store/alert_store.h"

namespace vigil::respond {

store::AlertRecord ToRecord(const events::Alert& alert);

// Acknowledges or resolves alert `id` (`status`: "acknowledged" or "resolved") on behalf of
// `by`, and records the change through `audit` (durable before it returns). NotFound for an
// unknown alert. Shared by the API and the CLI.
Status ChangeAlertStatus(store::AlertStore& alerts, events::AuditTrail& audit, int64_t now_ms,
                         int64_t id, const std::string& status, const std::string& by,
                         const std::string& note);

}  // namespace vigil::respond
