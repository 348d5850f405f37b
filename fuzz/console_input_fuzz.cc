// libFuzzer target: what browsers send the console — Cookie headers, form bodies — and what any
// value becomes on a page. The escaper's promise is checked on every input: no markup character
// survives, the output is valid UTF-8 without control characters, and escaping text that needs
// none (printable ASCII) changes nothing. Forms that parse give fields whose re-encoding parses
// back the same.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "console/console_http.h"
#include "console/html.h"
#include "core/percent_encoding.h"

namespace {

bool ValidUtf8WithoutControls(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return false;
      ++i;
      continue;
    }
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::string escaped = vigil::console::Escape(input);
  if (escaped.find_first_of("<>\"'") != std::string::npos) abort();
  if (!ValidUtf8WithoutControls(escaped)) abort();
  // Every '&' starts a character reference the escaper wrote.
  for (size_t at = escaped.find('&'); at != std::string::npos; at = escaped.find('&', at + 1)) {
    const std::string_view rest = std::string_view(escaped).substr(at);
    if (!rest.starts_with("&amp;") && !rest.starts_with("&lt;") && !rest.starts_with("&gt;") &&
        !rest.starts_with("&quot;") && !rest.starts_with("&#39;")) {
      abort();
    }
  }
  // Printable ASCII without markup characters passes unchanged.
  bool plain = true;
  for (unsigned char c : input) plain = plain && c >= 0x20 && c < 0x7F && !std::strchr("<>\"'&", c);
  if (plain && escaped != input) abort();
  (void)vigil::console::CookieValue(input, "vigil_session");
  if (auto form = vigil::console::ParseForm(input); form.ok()) {
    std::string body;
    for (const auto& [name, value] : *form) {
      body += (body.empty() ? "" : "&") + vigil::PercentEncode(name) + "=" +
              vigil::PercentEncode(value);
    }
    auto again = vigil::console::ParseForm(body);
    if (!again.ok() || *again != *form) abort();
  }
  return 0;
}
