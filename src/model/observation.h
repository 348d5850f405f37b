// FHIR R4 Observations made from a validated Reading: one per measurement, except that a
// systolic and a diastolic pressure taken at the same time make one blood-pressure panel
// (LOINC 85354-9) with two components, as the vital-signs profile asks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/reading.h"

namespace vigil::model {

// An Observation ready to be sealed: the FHIR JSON plus the fields that are stored in the clear
// for lookup (ids, code, time; never a value).
struct Observation {
  std::string id;  // "<device>.<seq>.<n>": unique, and the same if the message is resent
  std::string patient_id;
  std::string device_id;
  std::string code;  // LOINC code of the Observation
  int64_t effective_ms = 0;
  uint64_t seq = 0;
  std::string fhir_json;  // the Observation resource, compact JSON
};

// Builds the Observations for `reading`, in measurement order. `issued_ms` is the hub's time of
// receipt (Observation.issued).
std::vector<Observation> NormalizeReading(const Reading& reading, const std::string& patient_id,
                                          const std::string& device_id, int64_t issued_ms);

}  // namespace vigil::model
