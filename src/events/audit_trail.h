// Where modules record audit events: the hub's ledger behind an interface, so that access,
// ingest's connections, the API and response record without knowing how records are batched,
// encoded, signed or forwarded.
#pragma once

#include "core/status.h"
#include "events/audit_record.h"

namespace vigil::events {

class AuditTrail {
 public:
  virtual ~AuditTrail() = default;
  // Appends `record` and returns once it is durable (before a request that depends on it is
  // answered); an error means it is not recorded and the caller must not go on as if it were.
  virtual Status Append(AuditRecord record) = 0;
  // Queues `record` without waiting (connection events must not hold up a device); a failure
  // is logged by the trail.
  virtual void AppendLater(AuditRecord record) = 0;
};

}  // namespace vigil::events
