// Validation of a decoded message against the hub's rules: known measurements, accepted units
// (converted to canonical UCUM), plausible ranges, clock skew and size limits. The sequence
// number's freshness is checked later, against the device's durable state (pipeline).
#pragma once

#include <variant>

#include "ingest/ingest_limits.h"
#include "ingest/payload/device_payload.h"
#include "ingest/refusal.h"
#include "model/reading.h"

namespace vigil::ingest {

// The canonical Reading, or why it is refused. `now_ms` is the hub's clock.
std::variant<model::Reading, RefusalDetail> ValidateMessage(const RawMessage& message,
                                                            const IngestLimits& limits,
                                                            int64_t now_ms);

}  // namespace vigil::ingest
