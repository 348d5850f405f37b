// Writing JSON text: strings into text built by hand (the FHIR renderers, which skip a DOM on
// hot paths), and DOM values safely.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vigil {

// Appends `s` as a quoted JSON string, escaping quotes, backslashes and control characters.
void AppendJsonString(std::string& out, std::string_view s);

// `value` as compact JSON text. Never throws: bytes that are not UTF-8 (from a client) are
// replaced by U+FFFD instead of failing the whole reply.
// `indent` > 0: pretty-printed with that many spaces per level.
std::string DumpJson(const nlohmann::json& value, int indent = -1);

}  // namespace vigil
