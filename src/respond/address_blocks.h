// Undoing a containment playbook's address block (the CLI's `vigil address unblock` and the
// security API): the block is lifted in the store, which every hub reloads within a second, and
// the ledger records who lifted it and why.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "events/audit_trail.h"
#include "store/alert_store.h"

namespace vigil::respond {

// Lifts the block on `address`, then appends the address_unblocked entry. InvalidArgument
// without a reason and NotFound if the address is not blocked at `now_ms` (nothing changes).
Status LiftAddressBlock(store::AlertStore& alerts, events::AuditTrail& audit, int64_t now_ms,
                        const std::string& address, const std::string& by,
                        const std::string& reason);

}  // namespace vigil::respond
