// Alerts in their stored form (store::AlertRecord), and the changes people make to them.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "detect/alert.h"
#include "ledger/entry.h"
#include "store/alert_store.h"

namespace vigil::detect {

store::AlertRecord ToRecord(const Alert& alert);

// Acknowledges or resolves alert `id` (`status`: "acknowledged" or "resolved") on behalf of
// `by`, and records the change through `record` (durable before it returns). NotFound for an
// unknown alert. Shared by the API and the CLI.
Status ChangeAlertStatus(store::AlertStore& alerts,
                         const std::function<Status(const ledger::LedgerEntry&)>& record,
                         int64_t now_ms, int64_t id, const std::string& status,
                         const std::string& by, const std::string& note);

}  // namespace vigil::detect
