#include "admin/user_admin.h"

#include "access/password.h"
#include "access/totp.h"
#include "core/clock.h"
#include "crypto/bytes.h"
#include "events/audit_records.h"

namespace vigil::admin {
namespace {

constexpr size_t kTotpSecretBytes = 20;  // 160 bits, RFC 4226's recommendation

}  // namespace

bool IsValidUsername(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<UserEnrolment> AddUser(const AdminParts& hub, const NewUser& user) {
  if (!IsValidUsername(user.username)) {
    return Status::InvalidArgument("a username is 1-64 characters of a-z, 0-9, '.', '_', '-'");
  }
  const bool is_patient = user.role == access::Role::kPatient;
  if (is_patient == user.patient_id.empty()) {
    return Status::InvalidArgument(is_patient ? "a patient user needs --patient"
                                              : "only patient users are linked to a patient");
  }
  UserEnrolment out;
  VIGIL_ASSIGN_OR_RETURN(out.initial_password, access::GeneratePassword());
  VIGIL_ASSIGN_OR_RETURN(std::string secret, crypto::RandomBytes(kTotpSecretBytes));
  out.totp_secret_base32 = access::Base32Encode(secret);
  out.otpauth_uri = access::OtpAuthUri("Vigil " + hub.hub_name, user.username, secret);
  store::UserRecord record;
  record.username = user.username;
  record.role = std::string(access::RoleName(user.role));
  record.patient_id = user.patient_id;
  VIGIL_ASSIGN_OR_RETURN(record.password_hash, access::HashPassword(out.initial_password));
  record.must_change_password = true;
  VIGIL_ASSIGN_OR_RETURN(record.sealed_totp_secret,
                         hub.keys.SealSecret(secret, access::TotpPurpose(user.username)));
  crypto::Wipe(secret);
  record.created_ms = SystemClock::Instance().NowMillis();
  VIGIL_RETURN_IF_ERROR(hub.store.access().InsertUser(record));
  VIGIL_RETURN_IF_ERROR(hub.audit.Append(events::Record(
      SystemClock::Instance().NowMillis(),
      events::audit::UserAdded{.user = user.username,
                               .role = record.role,
                               .patient = is_patient ? user.patient_id : std::string(),
                               .by = hub.by})));
  return out;
}

}  // namespace vigil::admin
