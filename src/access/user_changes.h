// Changes to a user's standing that administrators make from the CLI or the API: care-team
// membership and revoking sessions. Each is recorded through the AuditTrail before it returns.
#pragma once

#include <string>

#include "access/auth_service.h"
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

}  // namespace vigil::access
