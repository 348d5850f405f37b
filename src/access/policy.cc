#include "access/policy.h"

#include <optional>

namespace vigil::access {
namespace {

Decision Allow(std::string basis) { return {Outcome::kAllowed, std::move(basis)}; }
Decision Deny(std::string basis) { return {Outcome::kDenied, std::move(basis)}; }

bool IsHealthData(Action a) {
  return a == Action::kReadPatient || a == Action::kReadObservations || a == Action::kReadDevices;
}

// The consent category an action reads; none for the patient's record itself.
std::optional<DataCategory> CategoryOf(Action a) {
  if (a == Action::kReadObservations) return DataCategory::kVitalSigns;
  if (a == Action::kReadDevices) return DataCategory::kDeviceData;
  return std::nullopt;
}

Decision DecideForCareGiver(const Principal& who, Action action, const PatientFacts& facts) {
  if (!IsHealthData(action)) return Deny("role-not-permitted");
  // Art. 18: stored, not used; an emergency is no exception the regulation names.
  if (facts.restricted) return Deny("processing-restricted");
  const ConsentDirective default_directive;
  const ConsentDirective& consent = facts.consent ? *facts.consent : default_directive;
  std::string refusal;
  if (!facts.on_care_team) {
    refusal = "not-on-care-team";
  } else if (!ConsentPermits(consent, CategoryOf(action), who.username, true)) {
    refusal = "consent-denies";
  } else {
    return Allow(std::string(kCareTeamBasis));
  }
  if (!facts.break_glass_reason.empty()) return {Outcome::kBreakGlass, "break-glass:" + refusal};
  return Deny(refusal);
}

}  // namespace

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kReadPatient:
      return "read-patient";
    case Action::kReadObservations:
      return "read-observations";
    case Action::kReadDevices:
      return "read-devices";
    case Action::kReadAuditEvents:
      return "read-audit-events";
    case Action::kReadConsent:
      return "read-consent";
    case Action::kWriteConsent:
      return "write-consent";
    case Action::kManageCareTeam:
      return "manage-care-team";
    case Action::kManageUsers:
      return "manage-users";
    case Action::kReadReviews:
      return "read-reviews";
    case Action::kCloseReviews:
      return "close-reviews";
    case Action::kManagePatients:
      return "manage-patients";
    case Action::kManageDevices:
      return "manage-devices";
    case Action::kManageAlerts:
      return "manage-alerts";
    case Action::kManagePrivacy:
      return "manage-privacy";
    case Action::kBulkExport:
      return "bulk-export";
  }
  return "unknown";
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAllowed:
      return "allowed";
    case Outcome::kDenied:
      return "denied";
    case Outcome::kBreakGlass:
      return "break-glass";
  }
  return "unknown";
}

Decision Decide(const Principal& who, Action action, const std::string& patient_id,
                const PatientFacts& facts) {
  switch (who.role) {
    case Role::kPatient:
      if (action != Action::kReadPatient && action != Action::kReadObservations &&
          action != Action::kReadDevices && action != Action::kReadAuditEvents &&
          action != Action::kReadConsent && action != Action::kWriteConsent) {
        return Deny("role-not-permitted");
      }
      if (who.patient_id.empty() || who.patient_id != patient_id) return Deny("not-own-record");
      return Allow("own-record");
    case Role::kClinician:
    case Role::kNurse:
      return DecideForCareGiver(who, action, facts);
    case Role::kSecurityOfficer:
      if (action == Action::kReadAuditEvents || action == Action::kReadReviews ||
          action == Action::kCloseReviews || action == Action::kManageAlerts) {
        return Allow("security-officer");
      }
      return Deny(IsHealthData(action) ? "separation-of-duties" : "role-not-permitted");
    case Role::kAdmin:
      if (action == Action::kManageCareTeam || action == Action::kManageUsers ||
          action == Action::kManagePatients) {
        return Allow("administrator");
      }
      return Deny(IsHealthData(action) ? "separation-of-duties" : "role-not-permitted");
    case Role::kDeviceAdmin:
      if (action == Action::kManageDevices) return Allow("device-administrator");
      return Deny(IsHealthData(action) ? "separation-of-duties" : "role-not-permitted");
    case Role::kPrivacyOfficer:
      if (action == Action::kManagePrivacy || action == Action::kReadAuditEvents) {
        return Allow("privacy-officer");
      }
      if (action == Action::kBulkExport) return Allow("bulk-export:privacy-officer");
      if (IsHealthData(action) && facts.restricted) return Allow("restricted:privacy-officer");
      return Deny(IsHealthData(action) ? "separation-of-duties" : "role-not-permitted");
  }
  return Deny("unknown-role");
}

}  // namespace vigil::access
