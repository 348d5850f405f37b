// An alert raised by a detection rule: what, about whom, how bad, why (evidence), and the MITRE
// ATT&CK technique where one fits. Repeats of an open alert (same kind and entity) fold into it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "events/alert_kind.h"

namespace vigil::events {

struct Alert {
  int64_t id = 0;  // assigned when stored
  AlertKind kind = AlertKind::kDeviceClone;
  Severity severity = Severity::kMedium;
  Entity entity;
  std::string technique;  // MITRE ATT&CK, e.g. "T1110.001"
  std::string summary;    // one line for people; no health data
  std::map<std::string, std::string> evidence;
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  int64_t count = 1;  // raised this many times while open
  AlertStatus status = AlertStatus::kOpen;
};

}  // namespace vigil::events
