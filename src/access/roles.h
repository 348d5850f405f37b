// The people who use Vigil and what they are: each user has exactly one role.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil::access {

enum class Role {
  kPatient,
  kClinician,
  kNurse,
  kDeviceAdmin,
  kSecurityOfficer,
  kAdmin,
  kPrivacyOfficer,  // the data protection officer: holds, restrictions, erasure
};

std::string_view RoleName(Role role);  // "patient", "clinician", ..., "security-officer"
std::optional<Role> ParseRole(std::string_view name);

// Who is asking: an authenticated user.
struct Principal {
  std::string username;
  Role role = Role::kPatient;
  std::string patient_id;  // the patient record a patient user is; empty for other roles
};

}  // namespace vigil::access
