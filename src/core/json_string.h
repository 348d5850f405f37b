// Writing JSON strings into text built by hand (the FHIR renderers, which skip a DOM on hot
// paths).
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Appends `s` as a quoted JSON string, escaping quotes, backslashes and control characters.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace vigil
