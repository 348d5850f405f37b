#include <gtest/gtest.h>

#include <functional>
#include <variant>

#include "ingest/payload/device_payload.h"
#include "ingest/validate.h"

namespace vigil::ingest {
namespace {

constexpr int64_t kNow = 1795341600000;  // 2026-11-22T10:00:00Z

model::Reading Validated(std::string_view payload) {
  auto raw = DecodeDevicePayload(payload, kNow);
  EXPECT_TRUE(raw.ok()) << raw.status().ToString();
  auto v = ValidateMessage(*raw, IngestLimits{}, kNow);
  EXPECT_TRUE(std::holds_alternative<model::Reading>(v));
  return std::get<model::Reading>(v);
}

Refusal RefusalOf(std::string_view payload, const IngestLimits& limits = {}) {
  auto raw = DecodeDevicePayload(payload, kNow);
  if (!raw.ok()) return Refusal::kMalformedPayload;
  auto v = ValidateMessage(*raw, limits, kNow);
  return std::holds_alternative<RefusalDetail>(v) ? std::get<RefusalDetail>(v).reason
                                                  : Refusal::kNone;
}

TEST(VigilJsonTest, DecodesTheDocumentedShape) {
  const auto r = Validated(
      R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"heart_rate","value":72,"unit":"/min"},)"
      R"({"type":"body_temperature","value":98.6,"unit":"degF","ts":"2026-11-22T09:59:00Z"}]})");
  EXPECT_EQ(r.seq, 1u);
  ASSERT_EQ(r.measurements.size(), 2u);
  EXPECT_EQ(r.measurements[0].effective_ms, kNow);
  EXPECT_NEAR(r.measurements[1].value, 37.0, 1e-9);
  EXPECT_EQ(r.measurements[1].effective_ms, kNow - 60000);
}

// A store keeps sequence numbers as signed 64-bit integers: anything above 2^63 - 1 would wrap
// to a negative number there (and once halted every device's commits), so it is malformed.
TEST(SequenceRangeTest, BothFormatsAcceptOneTo2Pow63Minus1AndNothingElse) {
  const auto vigil = [](std::string_view seq) {
    return R"({"seq":)" + std::string(seq) +
           R"(,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"heart_rate","value":72,"unit":"/min"}]})";
  };
  const auto senml = [](std::string_view seq) {
    return R"([{"bt":1795341600,"n":"seq","v":)" + std::string(seq) +
           R"(},{"n":"heart_rate","u":"beat/min","v":64}])";
  };
  for (const auto& make : {std::function<std::string(std::string_view)>(vigil),
                           std::function<std::string(std::string_view)>(senml)}) {
    EXPECT_EQ(Validated(make("1")).seq, 1u);
    EXPECT_EQ(Validated(make("9223372036854775807")).seq, 9223372036854775807ULL);
    for (const char* bad : {"0", "-1", "9223372036854775808", "9223372036854775813",
                            "18446744073709551615", "18446744073709551616", "1.5", "1e3"}) {
      auto raw = DecodeDevicePayload(make(bad), kNow);
      ASSERT_FALSE(raw.ok()) << bad;
      EXPECT_NE(raw.status().message().find("9223372036854775807"), std::string::npos) << bad;
    }
  }
}

TEST(VigilJsonTest, SkipsMembersItDoesNotKnowAndKeepsARepeatedKeysLastValue) {
  const auto r =
      Validated(R"({"fw":{"readings":[{"seq":9}],"ts":[1,{"x":null}]},"seq":5,"seq":7,)"
                R"("ts":"2026-11-22T10:00:00Z","readings":[{"type":"spo2","note":{"type":1},)"
                R"("value":90,"value":97,"unit":"%"}]})");
  EXPECT_EQ(r.seq, 7u);
  ASSERT_EQ(r.measurements.size(), 1u);
  EXPECT_EQ(r.measurements[0].value, 97);
  EXPECT_EQ(r.measurements[0].effective_ms, kNow);
  // The last "readings" wins too, whatever the earlier one held.
  EXPECT_EQ(RefusalOf(R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"spo2",)"
                      R"("value":97,"unit":"%"}],"readings":{}})"),
            Refusal::kMalformedPayload);
  auto raw = DecodeVigilJson(R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[[1]]})");
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(raw.status().message().find("must be an object"), std::string::npos);
}

TEST(VigilJsonTest, RefusesEachKindOfBadInput) {
  EXPECT_EQ(RefusalOf("not json"), Refusal::kMalformedPayload);
  EXPECT_EQ(RefusalOf(R"({"ts":"2026-11-22T10:00:00Z","readings":[]})"),
            Refusal::kMalformedPayload);
  EXPECT_EQ(
      RefusalOf(
          R"({"seq":-1,"readings":[{"type":"spo2","value":97,"unit":"%","ts":"2026-11-22T10:00:00Z"}]})"),
      Refusal::kMalformedPayload);
  EXPECT_EQ(RefusalOf(R"({"seq":1,"readings":[{"type":"spo2","value":97,"unit":"%"}]})"),
            Refusal::kMalformedPayload);
  EXPECT_EQ(
      RefusalOf(
          R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"mood","value":1,"unit":"1"}]})"),
      Refusal::kUnknownMeasurement);
  EXPECT_EQ(
      RefusalOf(
          R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"spo2","value":97,"unit":"ppm"}]})"),
      Refusal::kUnitNotAccepted);
  EXPECT_EQ(
      RefusalOf(
          R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"heart_rate","value":900,"unit":"/min"}]})"),
      Refusal::kImplausibleValue);
  EXPECT_EQ(
      RefusalOf(
          R"({"seq":1,"ts":"2026-11-22T11:00:00Z","readings":[{"type":"heart_rate","value":70,"unit":"/min"}]})"),
      Refusal::kClockSkew);
  IngestLimits one;
  one.max_measurements = 1;
  EXPECT_EQ(
      RefusalOf(
          R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"heart_rate","value":70,"unit":"/min"},{"type":"spo2","value":97,"unit":"%"}]})",
          one),
      Refusal::kTooLarge);
}

TEST(SenmlTest, DecodesAPackWithBaseNameAndTime) {
  const auto r =
      Validated(R"([{"bn":"urn:dev:ow:10e2073a0108006:","bt":1795341600,"n":"seq","v":42},)"
                R"({"n":"heart_rate","u":"beat/min","v":64},{"n":"spo2","u":"/","v":0.97,"t":-1},)"
                R"({"n":"systolic_bp","u":"mmHg","v":118},{"n":"diastolic_bp","u":"mmHg","v":76},)"
                R"({"n":"body_temperature","u":"Cel","v":36.8}])");
  EXPECT_EQ(r.seq, 42u);
  ASSERT_EQ(r.measurements.size(), 5u);
  EXPECT_EQ(r.measurements[0].kind, model::VitalKind::kHeartRate);
  EXPECT_NEAR(r.measurements[1].value, 97.0, 1e-9);
  EXPECT_EQ(r.measurements[1].effective_ms, kNow - 1000);
  EXPECT_EQ(r.measurements[2].kind, model::VitalKind::kSystolicBp);
}

TEST(SenmlTest, RelativeTimesAreRelativeToNow) {
  const auto r = Validated(R"([{"n":"seq","v":1},{"n":"heart_rate","u":"/min","v":70,"t":-5}])");
  EXPECT_EQ(r.measurements[0].effective_ms, kNow - 5000);
}

TEST(SenmlTest, RefusesPacksWithoutSeqOrWithStrings) {
  EXPECT_EQ(RefusalOf(R"([{"n":"heart_rate","u":"/min","v":70}])"), Refusal::kMalformedPayload);
  EXPECT_EQ(RefusalOf(R"([{"n":"seq","v":1},{"n":"heart_rate","vs":"70"}])"),
            Refusal::kMalformedPayload);
  EXPECT_EQ(RefusalOf(R"([])"), Refusal::kMalformedPayload);
  EXPECT_EQ(RefusalOf(R"([{"n":"seq","v":1},{"n":"heart_rate","u":"Hz","v":1}])"),
            Refusal::kUnitNotAccepted);
}

}  // namespace
}  // namespace vigil::ingest
