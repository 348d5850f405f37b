// The measurements Vigil accepts: their names in device payloads, LOINC codes, canonical UCUM
// units, accepted input units (with conversions) and physiologically plausible ranges.
// docs/payloads.md is the human-readable form of this table.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"

namespace vigil::model {

enum class VitalKind : uint8_t {
  kHeartRate,
  kSpo2,
  kRespiratoryRate,
  kBodyTemperature,
  kSystolicBp,
  kDiastolicBp,
  kBloodGlucose,
  kBodyWeight,
};

struct VitalSpec {
  VitalKind kind;
  std::string_view name;          // payload name, e.g. "heart_rate"
  std::string_view loinc;         // LOINC code of the Observation (or BP component)
  std::string_view display;       // LOINC display
  std::string_view ucum;          // canonical UCUM code
  std::string_view unit_display;  // human unit for valueQuantity.unit
  std::string_view fhir_profile;  // vital-signs profile URL, empty when none applies
  double min;                     // plausible range in the canonical unit, inclusive
  double max;
};

// The spec of `kind`; every kind has one.
const VitalSpec& SpecOf(VitalKind kind);

// The kind named `name` in a payload ("heart_rate"), if any.
std::optional<VitalKind> FindVitalByName(std::string_view name);

// Converts `value` in `unit` to the kind's canonical unit. InvalidArgument when the unit is not
// one accepted for that measurement (the message names the accepted ones), or when the value is
// not finite.
Result<double> ToCanonicalUnit(VitalKind kind, double value, std::string_view unit);

// Checks the canonical value against the plausible range; the message names the range, never the
// value (values are health data and stay out of logs).
Status CheckPlausible(VitalKind kind, double canonical_value);

}  // namespace vigil::model
