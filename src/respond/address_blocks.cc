#include "respond/address_blocks.h"

#include "events/audit_records.h"

namespace vigil::respond {

Status LiftAddressBlock(store::AlertStore& alerts, events::AuditTrail& audit, int64_t now_ms,
                        const std::string& address, const std::string& by,
                        const std::string& reason) {
  if (reason.empty()) {
    return Status::InvalidArgument("say why the block is lifted (a reason is recorded)");
  }
  VIGIL_RETURN_IF_ERROR(alerts.LiftAddressBlock(address, now_ms));
  return audit.Append(events::Record(
      now_ms, events::audit::AddressUnblocked{.address = address, .by = by, .reason = reason}));
}

}  // namespace vigil::respond
