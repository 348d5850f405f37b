// The stream of security-relevant events the detection engine watches: connections and readings
// from ingest, logins, MFA and request decisions from access. Producers hold a
// SecurityEventSink; they never know who listens.
#pragma once

#include <cstdint>
#include <string>

namespace vigil::events {

enum class EventKind {
  kConnectionAccepted,  // device, address, reason (the TLS client's fingerprint, if known)
  kConnectionRefused,   // address, reason, [device]
  kDisconnected,        // device, address (a device's MQTT connection ended)
  kReadingAccepted,     // device, address, size (a message stored, or acknowledged again)
  kReadingRefused,      // device, address, reason (ingest::RefusalName, or "subscribe")
  kReadingFlagged,      // device, address, reason, seq: stored, but suspect ("implausible_change",
                        // "timestamp_backwards", "value_drift", "vitals_inconsistent")
  kLoginFailed,         // user (the name tried), address, reason
  kLoginSucceeded,      // user, address
  kAccessDecision,      // user, address, patient, reason (the decision: allowed, care-team —
                        // allowed through the user's own care team —, denied, break-glass)
  kSessionNewAddress,   // user, address (now), reason (the address that completed MFA)
  kDataSent,            // user, address, patient, reason (the endpoint, "GET /fhir/Observation"),
                        // size (rows of the patient's data sent)
};
inline constexpr int kEventKindCount = static_cast<int>(EventKind::kDataSent) + 1;

struct SecurityEvent {
  EventKind kind = EventKind::kConnectionAccepted;
  int64_t time_ms = 0;
  std::string device;
  std::string user;
  std::string address;
  std::string patient;
  std::string reason;
  int64_t size = 0;  // bytes of a message
  uint64_t seq = 0;  // a reading's sequence number (accepted, re-sent or flagged)
};

// Where producers send security events. Submit never blocks on analysis and is thread-safe.
class SecurityEventSink {
 public:
  virtual ~SecurityEventSink() = default;
  virtual void Submit(SecurityEvent event) = 0;
};

}  // namespace vigil::events
