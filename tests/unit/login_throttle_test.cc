#include "access/login_throttle.h"

#include <gtest/gtest.h>

namespace vigil::access {
namespace {

TEST(LoginThrottleTest, SlowsDownThenLocksThenForgets) {
  ManualClock clock(1'000'000);
  LoginThrottle throttle(clock, ThrottlePolicy{});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 0);
    throttle.RecordFailure("alice", "10.0.0.1");
  }
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 0);  // three free failures
  throttle.RecordFailure("alice", "10.0.0.1");
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.2"), 1000);  // per account, any address
  clock.Advance(1000);
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 0);
  throttle.RecordFailure("alice", "10.0.0.1");
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.1"), 2000);  // doubling
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("alice", "10.0.0.1");
  EXPECT_TRUE(throttle.IsLocked("alice"));
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.9"), 15 * 60'000);
  clock.Advance(15 * 60'000 + 1);
  EXPECT_EQ(throttle.RetryAfterMs("alice", "10.0.0.9"), 0);
  EXPECT_FALSE(throttle.IsLocked("alice"));
}

TEST(LoginThrottleTest, AnAddressSprayingManyAccountsIsSlowedToo) {
  ManualClock clock(1'000'000);
  LoginThrottle throttle(clock, ThrottlePolicy{});
  for (int i = 0; i < 13; ++i) throttle.RecordFailure("user" + std::to_string(i), "10.6.6.6");
  EXPECT_GT(throttle.RetryAfterMs("fresh-user", "10.6.6.6"), 0);
  EXPECT_EQ(throttle.RetryAfterMs("fresh-user", "10.0.0.1"), 0);
}

TEST(LoginThrottleTest, SuccessAndUnlockClearTheAccount) {
  ManualClock clock(1'000'000);
  LoginThrottle throttle(clock, ThrottlePolicy{});
  for (int i = 0; i < 10; ++i) throttle.RecordFailure("bob", "10.0.0." + std::to_string(i));
  EXPECT_TRUE(throttle.IsLocked("bob"));
  throttle.Unlock("bob");
  EXPECT_EQ(throttle.RetryAfterMs("bob", "10.0.0.99"), 0);
}

}  // namespace
}  // namespace vigil::access
