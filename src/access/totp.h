// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 6 digits, 30-second
// steps — what every authenticator app and `oathtool --totp` produce by default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::access {

inline constexpr int64_t kTotpStepSeconds = 30;

// RFC 4648 base32 without padding (the form authenticator apps take).
std::string Base32Encode(std::string_view bytes);
// InvalidArgument for characters outside the alphabet; padding and case are tolerated.
Result<std::string> Base32Decode(std::string_view text);

// The 6-digit code of `secret` at time step `step` (RFC 4226 HOTP with counter = step).
std::string TotpCode(std::string_view secret, int64_t step);

// The time step that `code` matches within ±`window` steps of `now_ms`, if any. Comparisons
// take the same time whether or not a step matches.
std::optional<int64_t> MatchTotp(std::string_view secret, std::string_view code, int64_t now_ms,
                                 int window = 1);

// The otpauth:// URI an authenticator app enrols from (Key Uri Format).
std::string OtpAuthUri(std::string_view issuer, std::string_view account, std::string_view secret);

}  // namespace vigil::access
