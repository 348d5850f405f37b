// Device connections in the audit ledger (issue #4) and the detection engine (issue #6): every
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
#include "detect/security_event.h"
#include "ledger/entry.h"

namespace vigil::server {

class ConnectionAudit {
 public:
  using Submit = std::function<void(ledger::LedgerEntry)>;
  using Observe = std::function<void(detect::SecurityEvent)>;
  // `observe` (may be empty) hears of every event, unlimited: the detection engine.
  ConnectionAudit(const Clock& clock, Submit submit, Observe observe = {});

  // `protocol`: "mqtt" or "https".
  void Connected(const std::string& device_id, const std::string& address,
                 const std::string& protocol);
  // `device_id`: the certificate's device when there was one (may be empty).
  void Refused(std::string_view reason, const std::string& address, const std::string& device_id,
               const std::string& protocol);
  // A device's connection ended, whoever ended it (detection only).
  void Disconnected(const std::string& device_id, const std::string& address);
  // A message of `size` bytes from a connected device (for the detection engine only; the
  // ledger records readings by batch).
  void Message(const std::string& device_id, const std::string& address, size_t size);
  // A message (or request) of a connected device that was refused: `reason` is
  // ingest::RefusalName, "packet_too_large" or "subscribe" (detection only; the metrics and the
  // log count it).
  void MessageRefused(const std::string& device_id, const std::string& address,
                      std::string_view reason);
  // A message that was stored but looks wrong (`reason`: "implausible_change"; detection only).
  void MessageFlagged(const std::string& device_id, const std::string& address,
                      std::string_view reason);

 private:
  const Clock& clock_;
  Submit submit_;
  Observe observe_;
  LogLimiter per_device_;
  LogLimiter per_address_;           // refusals that named a device
  UnauthenticatedBudget anonymous_;  // refusals that named none
};

}  // namespace vigil::server
