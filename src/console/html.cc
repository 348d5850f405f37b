#include "console/html.h"

#include <cmath>
#include <cstdio>

#include "core/percent_encoding.h"
#include "core/time_format.h"

namespace vigil::console {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence starting at `s[i]` (RFC 3629: no overlongs, no
// surrogates, nothing past U+10FFFF), or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size() || at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

void AppendEscaped(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t n = Utf8Length(text, i);
      if (n == 0) {
        out += kReplacement;
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += static_cast<char>(c);
        break;
      default:
        if (c >= 0x20 && c != 0x7F) out += static_cast<char>(c);
    }
  }
}

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendEscaped(out, text);
  return out;
}

Html& Html::Text(std::string_view value) {
  AppendEscaped(out_, value);
  return *this;
}

Html& Html::Cell(std::string_view value) {
  out_ += "<td>";
  AppendEscaped(out_, value);
  out_ += "</td>";
  return *this;
}

Html& Html::Int(int64_t value) {
  out_ += std::to_string(value);
  return *this;
}

Html& Html::Fixed(double value, int decimals) {
  if (!std::isfinite(value)) return Text("-");
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  out_ += buffer;
  return *this;
}

Html& Html::Time(int64_t epoch_ms) {
  const std::string text = FormatRfc3339Millis(epoch_ms);
  out_ += "<time datetime=\"";
  AppendEscaped(out_, text);
  out_ += "\">";
  AppendEscaped(out_, text);
  out_ += "</time>";
  return *this;
}

Html& Html::UrlPart(std::string_view value) { return Text(PercentEncode(value)); }

}  // namespace vigil::console
