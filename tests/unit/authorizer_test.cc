// access::Authorizer over the real access store, with a trail that records what it is given.
#include "access/authorizer.h"

#include <gtest/gtest.h>

#include "events/audit_records.h"
#include "recording_audit_trail.h"
#include "test_hub.h"

namespace vigil::access {
namespace {

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_.Enroll("p-1", "d-1");
    store::UserRecord dr;
    dr.username = "dr-a";
    dr.role = "clinician";
    dr.password_hash = "x";
    ASSERT_TRUE(hub_.store().access().InsertUser(dr).ok());
  }
  AccessRequest Read(std::string reason = {}) {
    return {.who = {"dr-a", Role::kClinician, ""},
            .action = Action::kReadObservations,
            .patient_id = "p-1",
            .resource = "Observation?patient=p-1",
            .break_glass_reason = std::move(reason),
            .address = "10.0.0.5"};
  }
  std::optional<events::audit::Access> Recorded(size_t i) {
    if (i >= trail_.records().size()) return std::nullopt;
    return events::As<events::audit::Access>(trail_.records()[i]);
  }

  testing::TestHub hub_;
  testing::RecordingAuditTrail trail_;
  ManualClock clock_{1'800'000'000'000};
  Authorizer authorizer_{hub_.store().access(), hub_.store().privacy(), trail_, clock_, nullptr};
};

TEST_F(AuthorizerTest, TheCareTeamDecidesAndEveryDecisionIsRecordedWithItsFacts) {
  auto denied = authorizer_.Authorize(Read());
  ASSERT_TRUE(denied.ok()) << denied.status().ToString();
  EXPECT_FALSE(denied->allowed());
  ASSERT_TRUE(hub_.store().access().AddCareTeamMember("p-1", "dr-a").ok());
  auto allowed = authorizer_.Authorize(Read());
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(allowed->allowed());

  ASSERT_EQ(trail_.records().size(), 2u);
  const auto first = Recorded(0), second = Recorded(1);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->decision, "denied");
  EXPECT_EQ(second->decision, "allowed");
  EXPECT_EQ(second->user, "dr-a");
  EXPECT_EQ(second->patient, "p-1");
  EXPECT_EQ(second->address, "10.0.0.5");
  EXPECT_EQ(second->basis, allowed->basis);
  EXPECT_EQ(trail_.records()[1].time_ms, clock_.NowMillis());
}

TEST_F(AuthorizerTest, BreakGlassIsRecordedWithItsReasonAndOpensAReview) {
  auto decision = authorizer_.Authorize(Read("patient unconscious in ED"));
  ASSERT_TRUE(decision.ok());
  EXPECT_EQ(decision->outcome, Outcome::kBreakGlass);
  const auto recorded = Recorded(0);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->reason, "patient unconscious in ED");
  auto reviews = hub_.store().access().ListReviews(/*open_only=*/true);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->size(), 1u);
  EXPECT_EQ((*reviews)[0].username, "dr-a");
  EXPECT_EQ((*reviews)[0].resource, "Observation?patient=p-1");
}

TEST_F(AuthorizerTest, ADecisionThatCannotBeRecordedIsAnErrorAndOpensNothing) {
  trail_.FailWith(Status::IoError("disk full"));
  auto decision = authorizer_.Authorize(Read("patient unconscious in ED"));
  EXPECT_EQ(decision.status().code(), StatusCode::kIoError);
  auto reviews = hub_.store().access().ListReviews(/*open_only=*/true);
  ASSERT_TRUE(reviews.ok());
  EXPECT_TRUE(reviews->empty());
}

}  // namespace
}  // namespace vigil::access
