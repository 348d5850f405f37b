// FHIR date search values as clients send them: every prefix, every precision, times without
// seconds, zones; each value stands for the interval its precision spans.
#include "api/fhir_date.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace vigil::api {
namespace {

int64_t At(const char* rfc3339) { return ParseRfc3339Millis(rfc3339).value(); }

TEST(FhirDateTest, EachPrecisionIsTheIntervalItSpans) {
  struct Case {
    const char* value;
    const char* first;
    const char* last;
  };
  for (const Case& c :
       {Case{"2026", "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.999Z"},
        Case{"2024-02", "2024-02-01T00:00:00Z", "2024-02-29T23:59:59.999Z"},
        Case{"eq2026-11-22", "2026-11-22T00:00:00Z", "2026-11-22T23:59:59.999Z"},
        Case{"2026-11-22T10:15", "2026-11-22T10:15:00Z", "2026-11-22T10:15:59.999Z"},
        Case{"2026-11-22T10:15:30+01:00", "2026-11-22T09:15:30Z", "2026-11-22T09:15:30.999Z"},
        Case{"2026-11-22T10:15:30.250Z", "2026-11-22T10:15:30.250Z", "2026-11-22T10:15:30.250Z"}}) {
    const auto d = ParseFhirDateSearch(c.value);
    ASSERT_TRUE(d.ok()) << c.value << ": " << d.status().ToString();
    EXPECT_EQ(d->from_ms, At(c.first)) << c.value;
    EXPECT_EQ(d->to_ms, At(c.last)) << c.value;
  }
}

TEST(FhirDateTest, PrefixesCompareTheInstantWithTheInterval) {
  const int64_t first = At("2026-11-22T00:00:00Z"), last = At("2026-11-22T23:59:59.999Z");
  EXPECT_EQ(ParseFhirDateSearch("ge2026-11-22")->from_ms, first);
  EXPECT_EQ(ParseFhirDateSearch("gt2026-11-22")->from_ms, last + 1);
  EXPECT_EQ(ParseFhirDateSearch("sa2026-11-22")->from_ms, last + 1);
  EXPECT_EQ(ParseFhirDateSearch("le2026-11-22")->to_ms, last);
  EXPECT_EQ(ParseFhirDateSearch("lt2026-11-22")->to_ms, first - 1);
  EXPECT_EQ(ParseFhirDateSearch("eb2026-11-22")->to_ms, first - 1);
  const auto ne = ParseFhirDateSearch("ne2026-11-22");
  ASSERT_TRUE(ne.ok());
  EXPECT_FALSE(ne->from_ms);
  EXPECT_EQ(ne->outside, (std::pair{first, last}));
}

TEST(FhirDateTest, WhatIsNotADateSearchIsRefusedByName) {
  for (const char* bad : {"", "ap2026", "xx2026", "26", "2026-13", "2026-02-30", "2026-11-22T10",
                          "2026-11-22 10:00", "2026-11-22T10:15:3", "ge", "0000"}) {
    const auto d = ParseFhirDateSearch(bad);
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseFhirDateSearch("ap2026").status().message().find("ap"), std::string::npos);
}

}  // namespace
}  // namespace vigil::api
