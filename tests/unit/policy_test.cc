#include "access/policy.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

namespace vigil::access {
namespace {

const Principal kClinician{"alice", Role::kClinician, ""};
const Principal kPatient{"pat1", Role::kPatient, "p-1"};

PatientFacts OnTeam(const ConsentDirective* consent = nullptr) {
  PatientFacts f;
  f.on_care_team = true;
  f.consent = consent;
  return f;
}

TEST(PolicyTest, DeniesByDefault) {
  for (Role role : {Role::kAdmin, Role::kDeviceAdmin, Role::kSecurityOfficer}) {
    const Principal who{"x", role, ""};
    for (Action a : {Action::kReadPatient, Action::kReadObservations, Action::kReadDevices}) {
      const Decision d = Decide(who, a, "p-1", OnTeam());
      EXPECT_EQ(d.outcome, Outcome::kDenied) << RoleName(role);
      EXPECT_EQ(d.basis, "separation-of-duties");
    }
  }
  EXPECT_FALSE(Decide(kClinician, Action::kReadObservations, "p-1", {}).allowed());
  EXPECT_FALSE(Decide(kClinician, Action::kManageUsers, "", OnTeam()).allowed());
  EXPECT_FALSE(Decide(kClinician, Action::kReadAuditEvents, "p-1", OnTeam()).allowed());
}

TEST(PolicyTest, PatientsSeeOnlyTheirOwnRecord) {
  for (Action a : {Action::kReadPatient, Action::kReadObservations, Action::kReadAuditEvents,
                   Action::kReadConsent, Action::kWriteConsent}) {
    EXPECT_TRUE(Decide(kPatient, a, "p-1", {}).allowed());
    EXPECT_FALSE(Decide(kPatient, a, "p-2", {}).allowed());
  }
  EXPECT_FALSE(Decide({"p", Role::kPatient, ""}, Action::kReadPatient, "", {}).allowed());
}

TEST(PolicyTest, AdministrativeActionsBelongToOneRoleEach) {
  const struct {
    Action action;
    Role role;
  } owners[] = {{Action::kManageUsers, Role::kAdmin},
                {Action::kManagePatients, Role::kAdmin},
                {Action::kManageDevices, Role::kDeviceAdmin},
                {Action::kReadReviews, Role::kSecurityOfficer},
                {Action::kCloseReviews, Role::kSecurityOfficer},
                {Action::kManagePrivacy, Role::kPrivacyOfficer}};
  for (const auto& [action, owner] : owners) {
    for (Role role : {Role::kPatient, Role::kClinician, Role::kNurse, Role::kDeviceAdmin,
                      Role::kSecurityOfficer, Role::kAdmin, Role::kPrivacyOfficer}) {
      const Principal who{"u", role, role == Role::kPatient ? "p-1" : ""};
      EXPECT_EQ(Decide(who, action, "", OnTeam()).allowed(), role == owner)
          << ActionName(action) << " by " << RoleName(role);
    }
  }
}

TEST(PolicyTest, ARestrictedRecordIsReadOnlyByThePatientAndThePrivacyOfficer) {
  const Principal dpo{"dpo", Role::kPrivacyOfficer, ""};
  PatientFacts restricted = OnTeam();
  restricted.restricted = true;
  restricted.break_glass_reason = "collapsed";  // no exception under Art. 18
  for (Action a : {Action::kReadPatient, Action::kReadObservations, Action::kReadDevices}) {
    const Decision clinician = Decide(kClinician, a, "p-1", restricted);
    EXPECT_EQ(clinician.outcome, Outcome::kDenied);
    EXPECT_EQ(clinician.basis, "processing-restricted");
    EXPECT_TRUE(Decide(kPatient, a, "p-1", restricted).allowed());
    EXPECT_EQ(Decide(dpo, a, "p-1", restricted).basis, "restricted:privacy-officer");
    EXPECT_EQ(Decide(dpo, a, "p-1", OnTeam()).basis, "separation-of-duties");
  }
  EXPECT_TRUE(Decide(dpo, Action::kReadAuditEvents, "p-1", {}).allowed());
}

TEST(PolicyTest, CareTeamNeedsConsentAndBreakGlassOverrides) {
  EXPECT_EQ(Decide(kClinician, Action::kReadObservations, "p-1", OnTeam()).basis,
            "care-team+consent");
  ConsentDirective deny_vitals;
  deny_vitals.exceptions.push_back(
      {false, DataCategory::kVitalSigns, RecipientKind::kEveryone, ""});
  PatientFacts facts = OnTeam(&deny_vitals);
  EXPECT_EQ(Decide(kClinician, Action::kReadObservations, "p-1", facts).basis, "consent-denies");
  EXPECT_TRUE(Decide(kClinician, Action::kReadDevices, "p-1", facts).allowed());
  facts.break_glass_reason = "cardiac arrest";
  const Decision glass = Decide(kClinician, Action::kReadObservations, "p-1", facts);
  EXPECT_EQ(glass.outcome, Outcome::kBreakGlass);
  EXPECT_TRUE(glass.allowed());
  PatientFacts off_team;
  off_team.break_glass_reason = "unconscious in ED";
  EXPECT_EQ(Decide({"n", Role::kNurse, ""}, Action::kReadPatient, "p-1", off_team).basis,
            "break-glass:not-on-care-team");
  // Break-glass never opens what a role may not do at all.
  EXPECT_FALSE(Decide(kClinician, Action::kReadAuditEvents, "p-1", off_team).allowed());
}

TEST(ConsentTest, DenyWinsOverPermit) {
  ConsentDirective d;
  d.base_permit = false;
  d.exceptions.push_back({true, std::nullopt, RecipientKind::kCareTeam, ""});
  d.exceptions.push_back({false, DataCategory::kVitalSigns, RecipientKind::kUser, "bob"});
  EXPECT_TRUE(ConsentPermits(d, DataCategory::kVitalSigns, "alice", true));
  EXPECT_FALSE(ConsentPermits(d, DataCategory::kVitalSigns, "bob", true));
  EXPECT_TRUE(ConsentPermits(d, DataCategory::kDeviceData, "bob", true));
  EXPECT_FALSE(ConsentPermits(d, DataCategory::kVitalSigns, "alice", false));
  EXPECT_FALSE(ConsentPermitsResearch(d, DataCategory::kVitalSigns));
}

TEST(ConsentTest, FhirRoundTripAndClearErrors) {
  ConsentDirective d;
  d.exceptions.push_back({false, DataCategory::kDeviceData, RecipientKind::kUser, "bob"});
  d.exceptions.push_back({true, DataCategory::kVitalSigns, RecipientKind::kResearch, ""});
  d.exceptions.push_back({false, std::nullopt, RecipientKind::kCareTeam, ""});
  auto back = ConsentFromFhir(ConsentToFhir(d, "p-1"), "p-1");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->exceptions.size(), 3u);
  EXPECT_EQ(back->exceptions[0].username, "bob");
  EXPECT_EQ(back->exceptions[1].recipient, RecipientKind::kResearch);
  EXPECT_EQ(back->exceptions[2].recipient, RecipientKind::kCareTeam);
  EXPECT_FALSE(ConsentFromFhir(ConsentToFhir(d, "p-1"), "p-2").ok());  // another patient
  for (const char* bad :
       {"", "[]", R"({"resourceType":1})", R"({"resourceType":"Consent","status":"active"})",
        R"({"resourceType":"Consent","status":"active","patient":{"reference":"Patient/p-1"},
            "provision":{"type":"permit","provision":[{"type":"maybe"}]}})",
        R"({"resourceType":"Consent","status":"active","patient":{"reference":"Patient/p-1"},
            "provision":{"type":"permit","provision":[{"type":"deny","class":"x"}]}})"}) {
    const auto parsed = ConsentFromFhir(bad, "p-1");
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

// Elements the policy cannot enforce are refused by name, never stored without their meaning
// (a permit meant to start in 2027 must not become a permit now).
TEST(ConsentTest, ElementsThePolicyCannotEnforceAreRefusedByName) {
  ConsentDirective d;
  d.exceptions.push_back({false, DataCategory::kVitalSigns, RecipientKind::kUser, "bob"});
  const nlohmann::json as_served = nlohmann::json::parse(ConsentToFhir(d, "p-1"));
  auto with = [&](const std::string& pointer, const nlohmann::json& value) {
    nlohmann::json doc = as_served;
    doc[nlohmann::json::json_pointer(pointer)] = value;
    return doc.dump();
  };
  // What a client got, sent back with the usual housekeeping, is taken.
  EXPECT_TRUE(ConsentFromFhir(with("/meta", {{"versionId", "3"}}), "p-1").ok());
  EXPECT_TRUE(
      ConsentFromFhir(with("/text", {{"status", "generated"}, {"div", "<div/>"}}), "p-1").ok());
  const nlohmann::json period = {{"start", "2027-01-01"}};
  for (const auto& [pointer, value, named] :
       std::vector<std::tuple<std::string, nlohmann::json, std::string>>{
           {"/provision/period", period, "Consent.provision.period"},
           {"/provision/provision/0/period", period, "Consent.provision.provision[0].period"},
           {"/provision/provision/0/provision", nlohmann::json::array({{{"type", "permit"}}}),
            "Consent.provision.provision[0].provision"},
           {"/provision/provision/0/data", nlohmann::json::array({{{"meaning", "instance"}}}),
            "Consent.provision.provision[0].data"},
           {"/provision/provision/0/action", nlohmann::json::array({{{"text", "access"}}}),
            "Consent.provision.provision[0].action"},
           {"/provision/provision/0/securityLabel", nlohmann::json::array({{{"code", "R"}}}),
            "Consent.provision.provision[0].securityLabel"},
           {"/provision/actor", nlohmann::json::array(), "Consent.provision.actor"},
           {"/modifierExtension", nlohmann::json::array(), "Consent.modifierExtension"},
           {"/implicitRules", "http://example.org/rules", "Consent.implicitRules"},
           {"/meta/security", nlohmann::json::array({{{"code", "R"}}}), "Consent.meta.security"},
           {"/scope/coding/0/code", "research", "Consent.scope"},
           {"/policyRule/coding/0/code", "cric", "Consent.policyRule"},
           {"/provision/provision/0/actor/0/role/coding/0/code", "PRCP",
            "Consent.provision.provision[0].actor[0].role"}}) {
    const auto parsed = ConsentFromFhir(with(pointer, value), "p-1");
    ASSERT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << pointer;
    EXPECT_NE(parsed.status().message().find(named), std::string::npos)
        << pointer << ": " << parsed.status().message();
  }
}

}  // namespace
}  // namespace vigil::access
