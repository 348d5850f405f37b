#include "access/login_throttle.h"

#include <gtest/gtest.h>

namespace vigil::access {
namespace {

// docs/access.md: "3 free, then the next try must wait 1 s, 2 s, 4 s ... up to 60 s".
TEST(LoginThrottleTest, ThreeFreeThenTheFourthWaitsOneSecondAndDelaysDoubleToAMinute) {
  ManualClock clock(1'000'000);
  LoginThrottle throttle(clock, ThrottlePolicy{});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 0) << i;
    throttle.RecordFailure("alice", "10.0.0.1");
  }
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 1000);  // the fourth must wait
  clock.Advance(1000);
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 0);
  throttle.RecordFailure("alice", "10.0.0.1");
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 2000);
  for (int i = 0; i < 8; ++i) throttle.RecordFailure("alice", "10.0.0.1");
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 60'000);  // capped
  clock.Advance(15 * 60'000 + 1);
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 0);  // forgotten after the window
}

TEST(LoginThrottleTest, AnAttackerFailingInAUsersNameDoesNotLockTheUserOut) {
  ManualClock clock(1'000'000);
  LoginThrottle throttle(clock, ThrottlePolicy{});
  for (int i = 0; i < 60; ++i) throttle.RecordFailure("dr.lee", "203.0.113.7");
  EXPECT_GT(throttle.RetryAfterMs("dr.lee", "203.0.113.7"), 0);  // the attacker waits
  EXPECT_EQ(throttle.RetryAfterMs("dr.lee", "10.1.2.3"), 0);     // the clinician does not
  EXPECT_FALSE(throttle.IsLocked("dr.lee"));
}

TEST(LoginThrottleTest, StuffingFromManyAddressesHoldsUnknownAddressesButNotKnownOnes) {
  ManualClock clock(1'000'000);
  LoginThrottle throttle(clock, ThrottlePolicy{});
  throttle.RecordSuccess("bob", "10.0.0.1");  // bob's own workstation
  for (int i = 0; i < 100; ++i) throttle.RecordFailure("bob", "198.51.100." + std::to_string(i));
  EXPECT_TRUE(throttle.IsLocked("bob"));
  EXPECT_GT(throttle.RetryAfterMs("bob", "198.51.100.250"), 0);
  EXPECT_EQ(throttle.RetryAfterMs("bob", "10.0.0.1"), 0);
  throttle.Unlock("bob");
  EXPECT_EQ(throttle.RetryAfterMs("bob", "198.51.100.250"), 0);
}

TEST(LoginThrottleTest, AnAddressSprayingManyAccountsIsSlowedThenLocked) {
  ManualClock clock(1'000'000);
  LoginThrottle throttle(clock, ThrottlePolicy{});
  for (int i = 0; i < 13; ++i) throttle.RecordFailure("user" + std::to_string(i), "10.6.6.6");
  EXPECT_GT(throttle.RetryAfterMs("fresh-user", "10.6.6.6"), 0);
  EXPECT_EQ(throttle.RetryAfterMs("fresh-user", "10.0.0.1"), 0);
  for (int i = 13; i < 40; ++i) throttle.RecordFailure("user" + std::to_string(i), "10.6.6.6");
  EXPECT_EQ(throttle.RetryAfterMs("fresh-user", "10.6.6.6"), 15 * 60'000);
}

}  // namespace
}  // namespace vigil::access
