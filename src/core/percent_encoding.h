// RFC 3986 percent-encoding, for URIs the hub builds (otpauth://, FHIR links) and reads (query
// strings).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigil {

// Encodes everything but the unreserved characters (ALPHA / DIGIT / "-" / "." / "_" / "~").
std::string PercentEncode(std::string_view value);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query strings).
// InvalidArgument for a truncated or non-hex escape.
Result<std::string> PercentDecode(std::string_view value, bool plus_is_space);

// The fields of an application/x-www-form-urlencoded text (a query string, a form body), decoded,
// in order; a field without '=' has an empty value, empty fields are skipped. InvalidArgument for
// a bad escape.
Result<std::vector<std::pair<std::string, std::string>>> ParseUrlEncoded(std::string_view text);

}  // namespace vigil
