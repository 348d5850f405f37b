// FHIR R4 date search values (R4 3.1.1.5.4 and "date" in 3.1.1.4): an optional prefix (eq, ne,
// gt, lt, ge, le, sa, eb; none is eq) and a date or dateTime at any precision — YYYY, YYYY-MM,
// YYYY-MM-DD, or a time with minutes, seconds or fractions and a zone (Z or ±hh:mm; none: UTC).
// The value stands for the whole interval its precision spans ("2026-11" is all of November);
// an Observation's effective instant matches as the prefix says against that interval.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"

namespace vigil::api {

// The instants [first_ms, last_ms] an effective time may take to match, and those it may not.
struct DateCondition {
  std::optional<int64_t> from_ms;  // effective >= from
  std::optional<int64_t> to_ms;    // effective <= to
  // ne: effective outside [first, last]
  std::optional<std::pair<int64_t, int64_t>> outside;
};

// InvalidArgument naming what is wrong (an unknown prefix such as ap, a malformed date).
Result<DateCondition> ParseFhirDateSearch(std::string_view value);

}  // namespace vigil::api
