// What a new password must be (NIST SP 800-63B §5.1.1.2): 12 to 128 characters, any
// characters; not a commonly used or breached password (Openwall's list, compiled in), nor one
// with only digits or symbols added or letters swapped for look-alikes; not built on the
// username, the hub's name or "vigil"; not a repetition or a sequence; not the current one.
// No composition rules: they make passwords weaker, not stronger.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::access {

// What a password may not be built on.
struct PasswordContext {
  std::string username;
  std::string hub_name;
  std::string current_password;  // empty when there is none to compare (a new user)
};

// Ok, or InvalidArgument with a sentence a user can act on (never repeating the password).
Status CheckNewPassword(std::string_view password, const PasswordContext& context);

// Whether `word` (lower-case) is on the compiled-in list of common passwords.
bool IsCommonPassword(std::string_view word);

}  // namespace vigil::access
