// What the detection engine watches (issue #6): one stream of security-relevant events from
// ingest (connections, readings) and access (logins, MFA, request decisions).
#pragma once

#include <cstdint>
#include <string>

namespace vigil::detect {

enum class EventKind {
  kConnectionAccepted,  // device, address
  kConnectionRefused,   // address, reason, [device]
  kReadingAccepted,     // device, address
  kReadingRefused,      // device, address, reason
  kLoginFailed,         // user (the name tried), address, reason
  kLoginSucceeded,      // user, address
  kAccessDecision,      // user, address, patient, reason (the decision)
};

struct SecurityEvent {
  EventKind kind = EventKind::kConnectionAccepted;
  int64_t time_ms = 0;
  std::string device;
  std::string user;
  std::string address;
  std::string patient;
  std::string reason;
};

}  // namespace vigil::detect
