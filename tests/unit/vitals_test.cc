#include "model/vitals.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil::model {
namespace {

TEST(VitalsTest, EveryKindHasItsLoincCode) {
  EXPECT_EQ(SpecOf(VitalKind::kHeartRate).loinc, "8867-4");
  EXPECT_EQ(SpecOf(VitalKind::kSpo2).loinc, "59408-5");
  EXPECT_EQ(SpecOf(VitalKind::kRespiratoryRate).loinc, "9279-1");
  EXPECT_EQ(SpecOf(VitalKind::kBodyTemperature).loinc, "8310-5");
  EXPECT_EQ(SpecOf(VitalKind::kSystolicBp).loinc, "8480-6");
  EXPECT_EQ(SpecOf(VitalKind::kDiastolicBp).loinc, "8462-4");
  EXPECT_EQ(SpecOf(VitalKind::kBloodGlucose).loinc, "2339-0");
  EXPECT_EQ(SpecOf(VitalKind::kBodyWeight).loinc, "29463-7");
  EXPECT_EQ(FindVitalByName("body_weight"), VitalKind::kBodyWeight);
  EXPECT_FALSE(FindVitalByName("mood").has_value());
}

TEST(VitalsTest, ConvertsUnitsToCanonical) {
  EXPECT_NEAR(*ToCanonicalUnit(VitalKind::kBodyTemperature, 98.6, "[degF]"), 37.0, 1e-9);
  EXPECT_NEAR(*ToCanonicalUnit(VitalKind::kBodyTemperature, 212, "degF"), 100.0, 1e-9);
  EXPECT_NEAR(*ToCanonicalUnit(VitalKind::kBloodGlucose, 5.5, "mmol/L"), 99.0858, 1e-4);
  EXPECT_NEAR(*ToCanonicalUnit(VitalKind::kBodyWeight, 150, "[lb_av]"), 68.0388555, 1e-6);
  EXPECT_EQ(*ToCanonicalUnit(VitalKind::kHeartRate, 72, "/min"), 72);
}

TEST(VitalsTest, RefusesUnitsNotAcceptedAndNonFiniteValues) {
  const auto bad = ToCanonicalUnit(VitalKind::kHeartRate, 72, "Hz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/min"), std::string::npos);
  EXPECT_FALSE(ToCanonicalUnit(VitalKind::kSpo2, NAN, "%").ok());
}

TEST(VitalsTest, PlausibleRangesWithoutEchoingValues) {
  EXPECT_TRUE(CheckPlausible(VitalKind::kHeartRate, 72).ok());
  const Status s = CheckPlausible(VitalKind::kHeartRate, 1234);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("1234"), std::string::npos);
  EXPECT_FALSE(CheckPlausible(VitalKind::kSpo2, 101).ok());
}

}  // namespace
}  // namespace vigil::model
