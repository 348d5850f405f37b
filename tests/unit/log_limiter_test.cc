#include "core/log_limiter.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(LogLimiterTest, BurstThenOnePerIntervalAndCountsWhatWasHeldBack) {
  ManualClock clock(1000);
  LogLimiter limiter(clock, 3, 1000);
  uint64_t suppressed = 99;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.Allow("dev-1", suppressed));
    EXPECT_EQ(suppressed, 0u);
  }
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(limiter.Allow("dev-1", suppressed));
  EXPECT_TRUE(limiter.Allow("dev-2", suppressed)) << "keys are independent";
  clock.Advance(1000);
  EXPECT_TRUE(limiter.Allow("dev-1", suppressed));
  EXPECT_EQ(suppressed, 50u);
  EXPECT_FALSE(limiter.Allow("dev-1", suppressed));
}

}  // namespace
}  // namespace vigil
