#include "ingest/validate.h"

#include <cstdlib>

namespace vigil::ingest {

std::variant<model::Reading, RefusalDetail> ValidateMessage(const RawMessage& message,
                                                            const IngestLimits& limits,
                                                            int64_t now_ms) {
  if (message.measurements.size() > limits.max_measurements) {
    return RefusalDetail{
        Refusal::kTooLarge,
        "more than " + std::to_string(limits.max_measurements) + " measurements in one message"};
  }
  model::Reading reading;
  reading.seq = message.seq;
  const int64_t max_skew_ms = limits.max_clock_skew_seconds * 1000;
  for (const RawMeasurement& raw : message.measurements) {
    const auto kind = model::FindVitalByName(raw.name);
    if (!kind) {
      return RefusalDetail{Refusal::kUnknownMeasurement,
                           "unknown measurement type (see docs/payloads.md for the accepted ones)"};
    }
    auto canonical = model::ToCanonicalUnit(*kind, raw.value, raw.unit);
    if (!canonical.ok())
      return RefusalDetail{Refusal::kUnitNotAccepted, canonical.status().message()};
    if (Status plausible = model::CheckPlausible(*kind, *canonical); !plausible.ok()) {
      return RefusalDetail{Refusal::kImplausibleValue, plausible.message()};
    }
    if (std::llabs(raw.time_ms - now_ms) > max_skew_ms) {
      return RefusalDetail{Refusal::kClockSkew, "timestamp more than " +
                                                    std::to_string(limits.max_clock_skew_seconds) +
                                                    " s from the hub's clock"};
    }
    reading.measurements.push_back({*kind, *canonical, raw.time_ms});
  }
  return reading;
}

}  // namespace vigil::ingest
