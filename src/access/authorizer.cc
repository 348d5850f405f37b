#include "access/authorizer.h"

#include <optional>

#include "access/consent.h"
#include "access/roles.h"
#include "events/audit_records.h"

namespace vigil::access {

Result<Decision> Authorizer::Authorize(const AccessRequest& request) {
  PatientFacts facts;
  facts.break_glass_reason = request.break_glass_reason;
  std::optional<ConsentDirective> consent;
  const bool care_giver = request.who.role == Role::kClinician || request.who.role == Role::kNurse;
  if (care_giver && !request.patient_id.empty()) {
    VIGIL_ASSIGN_OR_RETURN(facts.on_care_team,
                           store_.IsOnCareTeam(request.patient_id, request.who.username));
    VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                           store_.FindConsent(request.patient_id));
    if (stored) {
      VIGIL_ASSIGN_OR_RETURN(consent, DecodeConsent(*stored));
      facts.consent = &*consent;
    }
  }
  const bool officer = request.who.role == Role::kPrivacyOfficer;
  if ((care_giver || officer) && !request.patient_id.empty()) {
    VIGIL_ASSIGN_OR_RETURN(auto flags, privacy_.Flags(request.patient_id));
    for (const auto& f : flags) facts.restricted |= f.flag == store::PatientFlag::kRestricted;
  }
  const Decision decision = Decide(request.who, request.action, request.patient_id, facts);
  const bool break_glass = decision.outcome == Outcome::kBreakGlass;
  const int64_t now = clock_.NowMillis();
  VIGIL_RETURN_IF_ERROR(audit_.Append(events::Record(
      now, events::audit::Access{.user = request.who.username,
                                 .role = std::string(RoleName(request.who.role)),
                                 .patient = request.patient_id,
                                 .action = std::string(ActionName(request.action)),
                                 .resource = request.resource,
                                 .decision = std::string(OutcomeName(decision.outcome)),
                                 .basis = decision.basis,
                                 .reason = break_glass ? request.break_glass_reason : std::string(),
                                 .address = request.address})));
  if (events_) {
    // A read allowed through the user's own care team is told apart from other allowed reads:
    // detection counts the others as browsing (detect/rules.h "many-patients").
    const bool through_care_team =
        decision.outcome == Outcome::kAllowed && decision.basis == kCareTeamBasis;
    events_->Submit({events::EventKind::kAccessDecision, now, "", request.who.username,
                     request.address, request.patient_id,
                     through_care_team ? "care-team" : std::string(OutcomeName(decision.outcome))});
  }
  if (break_glass) {
    VIGIL_RETURN_IF_ERROR(
        store_
            .InsertReview({0, request.who.username, request.patient_id, request.break_glass_reason,
                           request.resource, now, true})
            .status());
  }
  return decision;
}

}  // namespace vigil::access
