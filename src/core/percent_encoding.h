// RFC 3986 percent-encoding, for URIs the hub builds (otpauth://, FHIR links) and reads (query
// strings).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// Encodes everything but the unreserved characters (ALPHA / DIGIT / "-" / "." / "_" / "~").
std::string PercentEncode(std::string_view value);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query strings).
// InvalidArgument for a truncated or non-hex escape.
Result<std::string> PercentDecode(std::string_view value, bool plus_is_space);

}  // namespace vigil
