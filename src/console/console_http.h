// The console's side of HTTP: its session cookie (RFC 6265: Secure, HttpOnly, SameSite=Strict),
// form bodies (application/x-www-form-urlencoded) and the CSRF token every form carries. Each
// reads outside bytes and is fuzzed (fuzz/console_input_fuzz.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigil::console {

inline constexpr std::string_view kSessionCookie = "vigil_session";
inline constexpr std::string_view kChallengeCookie = "vigil_mfa";  // between password and code

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name);

// A Set-Cookie value for `name`: the whole site, HTTPS only, out of scripts' reach, never sent
// with another site's requests; `max_age_s` 0 deletes it.
std::string SetCookie(std::string_view name, std::string_view value, int64_t max_age_s);

// A form body's fields, decoded, in order. InvalidArgument for a malformed escape.
using Form = std::vector<std::pair<std::string, std::string>>;
Result<Form> ParseForm(std::string_view body);
// The first value of `name` ("" if absent).
std::string FormValue(const Form& form, std::string_view name);

// The CSRF token of a session: an HMAC of the session token (which only the browser holds: it is
// in the HttpOnly cookie and stored hashed), so any hub serving the session derives the same one
// and a page of another site can neither read nor guess it.
std::string CsrfToken(std::string_view session_token);
bool CsrfTokenMatches(std::string_view session_token, std::string_view given);

}  // namespace vigil::console
