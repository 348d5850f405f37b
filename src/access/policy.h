// The one authorization policy every route calls. Deny by default: a request is
// allowed only by a rule below, and every decision says why (its basis goes to the ledger).
//
//   patient            their own record, Observations, Devices, Consent and accounting of
//                      disclosures (AuditEvent); nobody else's
//   clinician, nurse   a patient's record, Observations (vital-signs) and Devices (device-data)
//                      when on the patient's care team and the patient's consent permits the
//                      category; otherwise break-glass with a stated reason (allowed, marked,
//                      and reviewed by the security officer)
//   security-officer   AuditEvents, break-glass reviews and alerts; no measurement values
//   admin              users, care teams, sessions and adding patients; no health data
//                      (separation of duties)
//   device-admin       devices (enrol, revoke, release); no health data
//   privacy-officer    (the DPO) legal holds, restriction of processing and erasure, and the
//                      accounting of disclosures; a restricted patient's record, which nobody
//                      else but the patient may read while the restriction stands; and
//                      system-level Bulk Data exports (each patient's part recorded)
#pragma once

#include <string>
#include <string_view>

#include "access/consent.h"
#include "access/roles.h"
#include "events/audit_records.h"

namespace vigil::access {

enum class Action {
  kReadPatient,
  kReadObservations,
  kReadDevices,
  kReadAuditEvents,  // a patient's accounting of disclosures
  kReadConsent,
  kWriteConsent,
  kManageCareTeam,
  kManageUsers,
  kReadReviews,
  kCloseReviews,    // judge a break-glass access (access/break_glass_review.h)
  kManageAlerts,    // list, acknowledge and resolve the detection engine's alerts
  kManagePatients,  // add patients (their sealed demographics; no readings)
  kManageDevices,   // enrol, revoke and release devices
  kManagePrivacy,   // legal holds, restriction of processing, erasure (GDPR Art. 17, 18)
  kBulkExport,      // a system-level Bulk Data export: every patient's data (the DPO's)
};

std::string_view ActionName(Action action);

enum class Outcome { kAllowed, kDenied, kBreakGlass };

std::string_view OutcomeName(Outcome outcome);  // "allowed", "denied", "break-glass"

// The basis of a caregiver's read allowed through the patient's care team and consent.
inline constexpr std::string_view kCareTeamBasis = events::audit::kCareTeamBasis;

struct Decision {
  Outcome outcome = Outcome::kDenied;
  std::string basis;  // why: "own-record", "care-team+consent", "not-on-care-team", ...
  bool allowed() const { return outcome != Outcome::kDenied; }
};

// What the policy needs to know about the patient in question.
struct PatientFacts {
  bool on_care_team = false;                  // the principal is on the patient's care team
  const ConsentDirective* consent = nullptr;  // the patient's directive; none: the default
  std::string break_glass_reason;             // stated by the clinician; empty: no break-glass
  bool restricted = false;  // the patient's processing is restricted (GDPR Art. 18)
};

// Decides whether `who` may do `action` on `patient_id`'s data (empty for actions that concern
// no patient, such as kManageUsers).
Decision Decide(const Principal& who, Action action, const std::string& patient_id,
                const PatientFacts& facts);

}  // namespace vigil::access
