// A device's message after decoding and validation: what was measured, when, in canonical units.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/vitals.h"

namespace vigil::model {

struct Measurement {
  VitalKind kind;
  double value;          // in SpecOf(kind).ucum
  int64_t effective_ms;  // when it was measured, ms since the Unix epoch
};

// A device's sequence numbers run from 1 to 2^63 - 1 (a signed 64-bit integer in every store and
// in most device firmware); a number outside that range is malformed, never wrapped.
constexpr uint64_t kMaxSequence = 9223372036854775807ULL;
inline bool IsValidSequence(uint64_t seq) { return seq >= 1 && seq <= kMaxSequence; }

struct Reading {
  uint64_t seq = 0;  // the device's sequence number, strictly increasing per device
  std::vector<Measurement> measurements;
};

// Ids of patients and devices: 1 to 40 of [A-Za-z0-9.-], starting with a letter or digit, so
// that they are valid FHIR ids and safe in MQTT topics, file names and logs.
bool IsValidEntityId(std::string_view id);

}  // namespace vigil::model
