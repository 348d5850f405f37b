// HTML built so that a value can never become markup: markup is only what the source spells as a
// string literal (Literal's constructor is consteval, so a runtime string does not compile as
// markup), and every value goes through one escaper (Escape), which the fuzzer checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::console {

// Escapes `text` for HTML text and quoted attribute values: & < > " ' become character
// references; bytes that are not valid UTF-8 become U+FFFD and control characters other than
// tab, line feed and carriage return are dropped, so the page stays well-formed whatever came in.
std::string Escape(std::string_view text);
void AppendEscaped(std::string& out, std::string_view text);

// Markup written in the source. Only a constant expression (a string literal) converts.
class Literal {
 public:
  consteval Literal(const char* markup) : markup_(markup) {}  // NOLINT: implicit on purpose
  std::string_view markup() const { return markup_; }

 private:
  std::string_view markup_;
};

// A page or fragment under construction.
class Html {
 public:
  Html& operator<<(Literal markup) {
    out_ += markup.markup();
    return *this;
  }
  Html& operator<<(const Html& fragment) {
    out_ += fragment.out_;
    return *this;
  }
  // A value, escaped.
  Html& Text(std::string_view value);
  Html& Int(int64_t value);
  Html& Fixed(double value, int decimals);
  // An instant as <time datetime="RFC 3339">RFC 3339</time> (UTC, milliseconds).
  Html& Time(int64_t epoch_ms);
  // A table cell holding a value, escaped: <td>value</td>.
  Html& Cell(std::string_view value);
  // A value for a URL inside an attribute (a path segment or a query value): percent-encoded,
  // then escaped.
  Html& UrlPart(std::string_view value);

  const std::string& str() const { return out_; }
  std::string Take() && { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace vigil::console
