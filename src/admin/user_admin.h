// Administration of users and care teams, shared by the `vigil` commands: adding a
// user with a one-time enrolment (initial password + TOTP secret), care-team membership and
// revoking a user's sessions. Every change is recorded in the audit ledger.
#pragma once

#include <string>

#include "access/auth_service.h"
#include "access/roles.h"
#include "admin/hub_admin.h"
#include "core/status.h"

namespace vigil::admin {

struct NewUser {
  std::string username;
  access::Role role = access::Role::kClinician;
  std::string patient_id;  // required for (and only for) patient users
};

// What the new user is told once, out of band; nothing here is stored in the clear.
struct UserEnrolment {
  std::string initial_password;  // must be changed at first login
  std::string totp_secret_base32;
  std::string otpauth_uri;
};

// InvalidArgument for a bad username (1-64 of [a-z0-9._-]) or a patient link that does not fit
// the role; AlreadyExists; FailedPrecondition for an unknown patient.
Result<UserEnrolment> AddUser(const AdminParts& hub, const NewUser& user);
inline Result<UserEnrolment> AddUser(AdminHub& hub, const NewUser& user) {
  return AddUser(PartsOf(hub), user);
}

// Whether `name` is a valid username.
bool IsValidUsername(const std::string& name);

}  // namespace vigil::admin
