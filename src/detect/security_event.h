// What the detection engine watches (issue #6): one stream of security-relevant events from
// ingest (connections, readings) and access (logins, MFA, request decisions).
#pragma once

#include <cstdint>
#include <string>

namespace vigil::detect {

enum class EventKind {
  kConnectionAccepted,  // device, address
  kConnectionRefused,   // address, reason, [device]
  kDisconnected,        // device, address (a device's MQTT connection ended)
  kReadingAccepted,     // device, address, size (a message from a connected device)
  kReadingRefused,      // device, address, reason (ingest::RefusalName, or "subscribe")
  kReadingFlagged,      // device, address, reason: stored, but suspicious ("implausible_change")
  kLoginFailed,         // user (the name tried), address, reason
  kLoginSucceeded,      // user, address
  kAccessDecision,      // user, address, patient, reason (the decision)
  kSessionNewAddress,   // user, address (now), reason (the address that completed MFA)
};

struct SecurityEvent {
  EventKind kind = EventKind::kConnectionAccepted;
  int64_t time_ms = 0;
  std::string device;
  std::string user;
  std::string address;
  std::string patient;
  std::string reason;
  int64_t size = 0;  // bytes of a message
};

}  // namespace vigil::detect
