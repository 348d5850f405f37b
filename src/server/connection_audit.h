// Device connections in the audit ledger and the detection engine: every
// accepted connection and every refused one, without letting a flood of either fill the ledger. Per
// device (accepted, and refused with a device's certificate), a burst of entries is written, then
// one a minute carrying how many were left out ("suppressed"); refusals of peers that named no
// device are budgeted per network prefix and hub-wide (core/unauthenticated_budget.h), so many
// addresses cannot grow the ledger faster than a bounded rate. The metrics and the detection
// engine still hear of every one. Entries are queued for the audit writer and never delay the
// connection. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "core/log_limiter.h"
#include "core/unauthenticated_budget.h"
#include "events/audit_trail.h"
#include "events/security_event.h"

namespace vigil::server {

class ConnectionAudit {
 public:
  // Entries go to `audit` without waiting; `events` (may be null) hears of every event,
  // unlimited: the detection engine.
  ConnectionAudit(const Clock& clock, events::AuditTrail& audit,
                  events::SecurityEventSink* events = nullptr);

  // `protocol`: "mqtt" or "https"; `tls_client`: the ClientHello's fingerprint (detection
  // tells a device's own software from another holding its certificate).
  void Connected(const std::string& device_id, const std::string& address,
                 const std::string& protocol, const std::string& tls_client = "");
  // `device_id`: the certificate's device when there was one (may be empty).
  void Refused(std::string_view reason, const std::string& address, const std::string& device_id,
               const std::string& protocol);
  // A device's connection ended, whoever ended it (detection only).
  void Disconnected(const std::string& device_id, const std::string& address);
  // A message (or request) of a connected device that the transport refused before the reading
  // pipeline saw it (the pipeline reports the rest): `reason` is ingest::RefusalName,
  // ingest::ConnectionRefusalName or "subscribe" (detection only; the metrics and the log count
  // it).
  void MessageRefused(const std::string& device_id, const std::string& address,
                      std::string_view reason);

 private:
  const Clock& clock_;
  events::AuditTrail& audit_;
  events::SecurityEventSink* events_;
  LogLimiter per_device_;
  LogLimiter per_address_;           // refusals that named a device
  UnauthenticatedBudget anonymous_;  // refusals that named none
};

}  // namespace vigil::server
