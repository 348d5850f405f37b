// RFC 3339 timestamps <-> milliseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// Parses "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.250+01:00" and the like. Seconds
// fractions beyond milliseconds are truncated. A date part alone is refused.
Result<int64_t> ParseRfc3339Millis(std::string_view text);

// Formats as "2026-11-22T10:00:00.250Z" (milliseconds always present, UTC).
std::string FormatRfc3339Millis(int64_t epoch_millis);
// The same, appended to `out`.
void AppendRfc3339Millis(std::string& out, int64_t epoch_millis);

// Formats a calendar date ("1961-04-02") after checking it is one; refuses anything else.
Result<std::string> CanonicalDate(std::string_view text);

}  // namespace vigil
