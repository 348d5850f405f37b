// An alert raised by a detection rule: what, about whom, how bad, why (evidence), and the MITRE
// ATT&CK technique where one fits. Repeats of an open alert (same kind and entity) fold into it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace vigil::detect {

enum class Severity { kLow, kMedium, kHigh, kCritical };

std::string_view SeverityName(Severity severity);

struct Alert {
  int64_t id = 0;    // assigned when stored
  std::string kind;  // "device-clone", "brute-force", ...
  Severity severity = Severity::kMedium;
  std::string entity;     // "device:dev-0001", "user:alice", "address:10.0.0.5"
  std::string technique;  // MITRE ATT&CK, e.g. "T1110.001"
  std::string summary;    // one line for people; no health data
  std::map<std::string, std::string> evidence;
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  int64_t count = 1;            // raised this many times while open
  std::string status = "open";  // open, acknowledged, resolved
};

}  // namespace vigil::detect
