#include "detect/baseline.h"

#include <gtest/gtest.h>

#include <random>

namespace vigil::detect {
namespace {

constexpr int64_t kT = 1'800'000'000'000;

class BaselineTest : public ::testing::Test {
 protected:
  BaselineTest() : rule_(MakeBaselineRule(BaselineSettings{})) {}

  void Feed(EventKind kind, int64_t t, const std::string& device, const std::string& user,
            const std::string& patient, int64_t size = 0, const std::string& reason = "") {
    SecurityEvent e{kind, t, device, user, "10.0.0.1", patient, reason, size};
    rule_->Observe(e, [this](Alert a) { alerts_.push_back(std::move(a)); });
  }
  // A 1 Hz device with +-20% jitter and 180-220 byte messages, from `t` for `n` messages.
  int64_t Normal(const std::string& device, int64_t t, int n) {
    std::uniform_int_distribution<int> jitter(-200, 200), size(180, 220);
    for (int i = 0; i < n; ++i) {
      t += 1000 + jitter(rng_);
      Feed(EventKind::kReadingAccepted, t, device, "", "", size(rng_));
    }
    return t;
  }

  std::unique_ptr<Rule> rule_;
  std::vector<Alert> alerts_;
  std::mt19937 rng_{7};
};

TEST_F(BaselineTest, RobustBaselineLearnsCentreAndSpread) {
  RobustBaseline b(10, 0.01, 0.0);
  for (int i = 0; i < 10; ++i) b.Learn(i % 2 == 0 ? 9 : 11, false);
  EXPECT_NEAR(b.center(), 10, 0.2);
  EXPECT_NEAR(b.spread(), 1.2, 0.3);  // 1.2533 x the mean absolute deviation (1)
  EXPECT_LT(b.Score(11), 2);
  EXPECT_GT(b.Score(30), 8);
}

TEST_F(BaselineTest, NormalJitterAndAReconnectBurstRaiseNothing) {
  int64_t t = Normal("dev-1", kT, 3600);  // an hour
  // The hub restarts: the device reconnects and resends its window at once.
  Feed(EventKind::kConnectionAccepted, t + 5000, "dev-1", "", "");
  for (int i = 0; i < 16; ++i)
    Feed(EventKind::kReadingAccepted, t + 5000 + i, "dev-1", "", "", 200);
  Normal("dev-1", t + 5016, 600);
  EXPECT_TRUE(alerts_.empty()) << alerts_[0].summary;
}

TEST_F(BaselineTest, ADeviceSendingFasterIsExplainedByItsInterval) {
  int64_t t = Normal("dev-2", kT, 600);
  for (int i = 0; i < 20; ++i) {  // 10 messages a second: far under the flood rule's 50
    t += 100;
    Feed(EventKind::kReadingAccepted, t, "dev-2", "", "", 200);
  }
  ASSERT_FALSE(alerts_.empty());
  EXPECT_EQ(alerts_[0].kind, AlertKind::kDeviceBehaviour);
  EXPECT_EQ(alerts_[0].entity.ToString(), "device:dev-2");
  EXPECT_EQ(alerts_[0].evidence.at("feature"), "seconds_between_messages");
  EXPECT_EQ(alerts_[0].evidence.at("value"), "0.1");
}

TEST_F(BaselineTest, LargerMessagesAreExplainedBySize) {
  int64_t t = Normal("dev-3", kT, 600);
  for (int i = 0; i < 10; ++i) {
    t += 1000;
    Feed(EventKind::kReadingAccepted, t, "dev-3", "", "", 4000);
  }
  ASSERT_FALSE(alerts_.empty());
  EXPECT_EQ(alerts_[0].evidence.at("feature"), "message_bytes");
}

TEST_F(BaselineTest, AUserTouchingManyMorePatientsThanUsual) {
  int64_t t = kT;
  for (int minute = 0; minute < 30; ++minute) {  // two or three of their patients a minute
    for (int k = 0; k < 2 + minute % 2; ++k) {
      Feed(EventKind::kAccessDecision, t + k * 10'000, "", "carol", "p-" + std::to_string(k));
    }
    t += 60'000;
  }
  EXPECT_TRUE(alerts_.empty());
  for (int k = 0; k < 15; ++k) {
    Feed(EventKind::kAccessDecision, t + k * 1000, "", "carol", "q-" + std::to_string(k));
    Feed(EventKind::kDataSent, t + k * 1000, "", "carol", "q-" + std::to_string(k), 4,
         k < 12 ? "GET /fhir/Observation" : "GET /fhir/Patient/{id}");
  }
  Feed(EventKind::kAccessDecision, t + 61'000, "", "carol", "p-0");  // the minute is over
  ASSERT_EQ(alerts_.size(), 1u);
  EXPECT_EQ(alerts_[0].kind, AlertKind::kUserBehaviour);
  EXPECT_EQ(alerts_[0].evidence.at("feature"), "patients_per_minute");
  EXPECT_EQ(alerts_[0].evidence.at("value"), "15");
  // Whom and through what: the patients and the endpoints, with the rows each sent.
  EXPECT_EQ(alerts_[0].evidence.at("patients").substr(0, 12), "q-0,q-1,q-10");
  EXPECT_EQ(alerts_[0].evidence.at("endpoints"),
            "GET /fhir/Observation: 48 rows; GET /fhir/Patient/{id}: 12 rows");
}

}  // namespace
}  // namespace vigil::detect
