#include "access/roles.h"

#include <array>
#include <utility>

namespace vigil::access {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 7> kNames{{
    {Role::kPatient, "patient"},
    {Role::kClinician, "clinician"},
    {Role::kNurse, "nurse"},
    {Role::kDeviceAdmin, "device-admin"},
    {Role::kSecurityOfficer, "security-officer"},
    {Role::kPrivacyOfficer, "privacy-officer"},
    {Role::kAdmin, "admin"},
}};

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

}  // namespace vigil::access
