// Changes to who may see what, made from the CLI, the API or the console: care-team membership,
// unlocking and revoking sessions, a patient's consent. Each is recorded through the AuditTrail
// before it returns.
#pragma once

#include <string>

#include "access/auth_service.h"
#include "access/consent.h"
#include "core/status.h"
#include "store/access_store.h"

namespace vigil::access {

// NotFound for an unknown user; InvalidArgument unless the user is a clinician or nurse;
// AlreadyExists; FailedPrecondition for an unknown patient.
Status AddToCareTeam(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                     const std::string& patient_id, const std::string& username,
                     const std::string& by);
// NotFound if the user is not on the team.
Status RemoveFromCareTeam(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                          const std::string& patient_id, const std::string& username,
                          const std::string& by);
// Asks the hub to clear the login throttle of `username` (failed logins forgotten, a lock
// lifted; the running hub applies it within a second: AuthService::ApplyUnlocks) and lifts a
// containment playbook's hold on the account at once. NotFound for an unknown user.
Status UnlockLogin(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                   const std::string& username, const std::string& by,
                   const std::string& reason = "");
// Ends every session of `username`; how many there were. NotFound for an unknown user.
Result<int64_t> RevokeSessions(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                               const std::string& username, const std::string& by);

// Stores `directive` (its updated_ms set to `now_ms`) as the patient's consent, then records
// consent_changed with the digest of what was stored (`vigil verify` checks the two agree).
Status SaveConsent(store::AccessStore& store, events::AuditTrail& audit, int64_t now_ms,
                   const std::string& patient_id, ConsentDirective& directive,
                   const std::string& by);

}  // namespace vigil::access
