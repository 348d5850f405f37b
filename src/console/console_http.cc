#include "console/console_http.h"

#include "core/percent_encoding.h"
#include "crypto/bytes.h"

namespace vigil::console {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    const std::string_view pair = Trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::string SetCookie(std::string_view name, std::string_view value, int64_t max_age_s) {
  std::string cookie(name);
  cookie += '=';
  cookie += value;
  cookie += "; Path=/; Max-Age=" + std::to_string(max_age_s);
  cookie += "; Secure; HttpOnly; SameSite=Strict";
  return cookie;
}

Result<Form> ParseForm(std::string_view body) { return ParseUrlEncoded(body); }

std::string FormValue(const Form& form, std::string_view name) {
  for (const auto& [k, v] : form) {
    if (k == name) return v;
  }
  return {};
}

std::string CsrfToken(std::string_view session_token) {
  const auto mac = crypto::HmacSha256(session_token, "vigil console csrf v1");
  return crypto::Hex(mac);
}

bool CsrfTokenMatches(std::string_view session_token, std::string_view given) {
  return !session_token.empty() && crypto::ConstantTimeEquals(CsrfToken(session_token), given);
}

}  // namespace vigil::console
