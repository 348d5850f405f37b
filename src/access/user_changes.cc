#include "access/user_changes.h"

#include "crypto/bytes.h"
#include "events/audit_records.h"

namespace vigil::access {

Status AddToCareTeam(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                     const std::string& patient_id, const std::string& username,
                     const std::string& by) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store.FindUser(username));
  if (!user) return Status::NotFound("no user " + username);
  const auto role = ParseRole(user->role);
  if (role != Role::kClinician && role != Role::kNurse) {
    return Status::InvalidArgument("care teams are clinicians and nurses; " + username + " is " +
                                   user->role);
  }
  VIGIL_RETURN_IF_ERROR(store.AddCareTeamMember(patient_id, username));
  return audit.Append(events::Record(
      now_ms, events::audit::CareTeamChanged{
                  .patient = patient_id, .user = username, .change = "added", .by = by}));
}

Status RemoveFromCareTeam(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                          const std::string& patient_id, const std::string& username,
                          const std::string& by) {
  VIGIL_RETURN_IF_ERROR(store.RemoveCareTeamMember(patient_id, username));
  return audit.Append(events::Record(
      now_ms, events::audit::CareTeamChanged{
                  .patient = patient_id, .user = username, .change = "removed", .by = by}));
}

Status UnlockLogin(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                   const std::string& username, const std::string& by, const std::string& reason) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store.FindUser(username));
  if (!user) return Status::NotFound("no user " + username);
  VIGIL_RETURN_IF_ERROR(store.RequestUnlock(username, by, now_ms));
  VIGIL_RETURN_IF_ERROR(store.ReleaseAccount(username).status());  // every hub: at the next login
  return audit.Append(events::Record(
      now_ms, events::audit::LoginUnlocked{.user = username, .by = by, .reason = reason}));
}

Result<int64_t> RevokeSessions(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                               const std::string& username, const std::string& by) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store.FindUser(username));
  if (!user) return Status::NotFound("no user " + username);
  VIGIL_ASSIGN_OR_RETURN(int64_t count, store.DeleteUserSessions(username));
  VIGIL_RETURN_IF_ERROR(audit.Append(events::Record(
      now_ms, events::audit::SessionsRevoked{.user = username, .by = by, .count = count})));
  return count;
}

Status SaveConsent(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                   const std::string& patient_id, ConsentDirective& directive,
                   const std::string& by) {
  directive.updated_ms = now_ms;
  const std::string encoded = EncodeConsent(directive);
  VIGIL_RETURN_IF_ERROR(store.PutConsent(patient_id, encoded, now_ms));
  return audit.Append(events::Record(
      now_ms,
      events::audit::ConsentChanged{.patient = patient_id,
                                    .by = by,
                                    .consent_sha256 = crypto::Hex(crypto::Sha256(encoded))}));
}

}  // namespace vigil::access
