// Legal holds, restriction and erasure over the real store (SQLite here; PostgreSQL when the
// suite runs there): an erasure destroys the wrapped key and the cached one, revokes the devices,
// removes the care team and consent, records a tombstone with no data, and is refused while a
// hold stands or an open incident affects the patient.
#include "privacy/patient_privacy.h"

#include <gtest/gtest.h>

#include "events/audit_records.h"
#include "recording_audit_trail.h"
#include "store/sealed_record.h"
#include "test_hub.h"

namespace vigil::privacy {
namespace {

class PatientPrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_.Enroll("p-1", "d-1");
    hub_.Enroll("p-2", "d-2");
  }
  PrivacyParts Parts() { return {hub_.store(), hub_.keys(), trail_, "dpo"}; }

  testing::TestHub hub_;
  testing::RecordingAuditTrail trail_;
};

TEST_F(PatientPrivacyTest, ErasureDestroysTheKeyRevokesDevicesAndLeavesATombstone) {
  store::Store& store = hub_.store();
  ASSERT_TRUE(hub_.keys().DataKey("p-1").ok());  // cached, as a running hub's would be
  ASSERT_TRUE(store.access().PutConsent("p-1", "{}", 1).ok());

  EXPECT_EQ(ErasePatient(Parts(), "p-1", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErasePatient(Parts(), "p-9", "ticket 1").status().code(), StatusCode::kNotFound);
  auto erased = ErasePatient(Parts(), "p-1", "ticket 4711");
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ(erased->devices_revoked, std::vector<std::string>{"d-1"});

  EXPECT_FALSE(*store.FindPatientKey("p-1"));
  EXPECT_EQ(hub_.keys().DataKey("p-1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(hub_.keys().DataKey("p-2").ok());  // others untouched
  EXPECT_EQ((*store.FindDevice("d-1"))->status, store::DeviceStatus::kRevoked);
  EXPECT_EQ((*store.FindDevice("d-2"))->status, store::DeviceStatus::kActive);
  EXPECT_TRUE((*store.FindPatient("p-1"))->sealed_demographics.empty());
  EXPECT_FALSE(*store.access().FindConsent("p-1"));
  EXPECT_EQ(store::RefuseErased(store.privacy(), "p-1").code(), StatusCode::kGone);
  EXPECT_TRUE(store::RefuseErased(store.privacy(), "p-2").ok());

  ASSERT_EQ(trail_.records().size(), 1u);
  const auto tombstone = events::As<events::audit::PatientErased>(trail_.records()[0]);
  ASSERT_TRUE(tombstone);
  EXPECT_EQ(tombstone->patient, "p-1");
  EXPECT_EQ(tombstone->by, "dpo");
  EXPECT_EQ(tombstone->reason, "ticket 4711");
  EXPECT_EQ(tombstone->devices, "d-1");
  EXPECT_EQ(tombstone->readings, "0");

  // Once only; and nothing new can be bound to the patient.
  EXPECT_EQ(ErasePatient(Parts(), "p-1", "again").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ChangePatientFlag(Parts(), "p-1", store::PatientFlag::kRestricted, true, "x").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(trail_.records().size(), 1u);
}

TEST_F(PatientPrivacyTest, AnotherProcessesErasureIsForgottenByTheRunningHub) {
  ASSERT_TRUE(hub_.keys().DataKey("p-2").ok());
  store::KeyRing other(hub_.store(), hub_.master_key());  // the CLI's, in another process
  int64_t seen = 0;
  ASSERT_TRUE(ForgetErasedKeys(hub_.store().privacy(), hub_.keys(), &seen).ok());
  EXPECT_EQ(seen, 0);
  ASSERT_TRUE(ErasePatient({hub_.store(), other, trail_, "os:dpo"}, "p-2", "ticket 2").ok());
  EXPECT_TRUE(hub_.keys().DataKey("p-2").ok());  // still cached here until the poll
  ASSERT_TRUE(ForgetErasedKeys(hub_.store().privacy(), hub_.keys(), &seen).ok());
  EXPECT_GT(seen, 0);
  EXPECT_EQ(hub_.keys().DataKey("p-2").status().code(), StatusCode::kNotFound);
}

TEST_F(PatientPrivacyTest, ALegalHoldRefusesErasureUntilLifted) {
  using store::PatientFlag;
  ASSERT_TRUE(ChangePatientFlag(Parts(), "p-1", PatientFlag::kLegalHold, true, "case 7").ok());
  EXPECT_EQ(ChangePatientFlag(Parts(), "p-1", PatientFlag::kLegalHold, true, "dup").code(),
            StatusCode::kAlreadyExists);
  auto refused = ErasePatient(Parts(), "p-1", "ticket 1");
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("legal hold (case 7"), std::string::npos);
  EXPECT_TRUE(*hub_.store().FindPatientKey("p-1"));  // nothing changed
  EXPECT_EQ((*hub_.store().FindDevice("d-1"))->status, store::DeviceStatus::kActive);

  ASSERT_TRUE(ChangePatientFlag(Parts(), "p-1", PatientFlag::kLegalHold, false, "settled").ok());
  EXPECT_EQ(ChangePatientFlag(Parts(), "p-1", PatientFlag::kLegalHold, false, "again").code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(ErasePatient(Parts(), "p-1", "ticket 1").ok());
  ASSERT_EQ(trail_.records().size(), 3u);
  const auto placed = events::As<events::audit::PatientFlagChanged>(trail_.records()[0]);
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed->flag, "legal-hold");
  EXPECT_EQ(placed->change, "set");
  EXPECT_EQ(placed->reason, "case 7");
}

TEST_F(PatientPrivacyTest, AnOpenIncidentAffectingThePatientRefusesErasure) {
  store::IncidentRecord incident;
  incident.title = "forged readings";
  incident.severity = "high";
  incident.first_ms = incident.last_ms = 1'000;
  incident.entities = {"device:d-1"};
  auto id = hub_.store().alerts().InsertIncident(incident);
  ASSERT_TRUE(id.ok());
  auto refused = ErasePatient(Parts(), "p-1", "ticket 1");
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("incident " + std::to_string(*id)), std::string::npos);
  EXPECT_TRUE(ErasePatient(Parts(), "p-2", "ticket 2").ok());  // not affected

  incident.id = *id;
  incident.status = "closed";
  ASSERT_TRUE(hub_.store().alerts().UpdateIncident(incident).ok());
  EXPECT_TRUE(ErasePatient(Parts(), "p-1", "ticket 1").ok());
}

TEST(ReceiptDigestTest, IsKeyedByThePatientsDataKey) {
  const std::string a(32, 'a'), b(32, 'b');
  EXPECT_EQ(store::ReceiptDigest(a, "{\"seq\":1}").size(), 32u);
  EXPECT_EQ(store::ReceiptDigest(a, "{\"seq\":1}"), store::ReceiptDigest(a, "{\"seq\":1}"));
  EXPECT_NE(store::ReceiptDigest(a, "{\"seq\":1}"), store::ReceiptDigest(b, "{\"seq\":1}"));
  EXPECT_NE(store::ReceiptDigest(a, "{\"seq\":1}"), store::ReceiptDigest(a, "{\"seq\":2}"));
}

}  // namespace
}  // namespace vigil::privacy
