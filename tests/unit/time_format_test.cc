#include "core/time_format.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(TimeFormatTest, ParsesUtcAndOffsets) {
  EXPECT_EQ(*ParseRfc3339Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339Millis("2026-11-22T10:00:00Z"), 1795341600000);
  EXPECT_EQ(*ParseRfc3339Millis("2026-11-22T11:00:00.250+01:00"), 1795341600250);
  EXPECT_EQ(*ParseRfc3339Millis("2026-11-22T10:00:00.123456Z"), 1795341600123);
}

TEST(TimeFormatTest, RefusesWhatIsNotRfc3339) {
  for (const char* bad : {"", "2026-11-22", "2026-11-22 10:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-22T10:00:00", "2026-11-22T10:00:00.Z",
                          "2026-11-22T25:00:00Z", "2026-11-22T10:00:00Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339Millis(bad).ok()) << bad;
  }
}

TEST(TimeFormatTest, FormatsRoundTrip) {
  EXPECT_EQ(FormatRfc3339Millis(1795341600250), "2026-11-22T10:00:00.250Z");
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(*ParseRfc3339Millis(FormatRfc3339Millis(951782400999)), 951782400999);
}

TEST(TimeFormatTest, CanonicalDateChecksTheCalendar) {
  EXPECT_TRUE(CanonicalDate("1961-04-02").ok());
  EXPECT_TRUE(CanonicalDate("2024-02-29").ok());
  EXPECT_FALSE(CanonicalDate("2023-02-29").ok());
  EXPECT_FALSE(CanonicalDate("02/04/1961").ok());
}

}  // namespace
}  // namespace vigil
