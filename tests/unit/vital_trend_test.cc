#include "model/vital_trend.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil::model {
namespace {

constexpr int64_t kT0 = 1795341600000;

// A heart rate around `centre`, wobbling by up to 3 beats (deterministic).
double Wobble(double centre, int i) { return centre + 3 * std::sin(i * 1.7); }

class VitalTrendTest : public ::testing::Test {
 protected:
  // Feeds a 1 Hz heart rate from `values(i)` for `n` seconds; the last judgement.
  template <typename Values>
  TrendReading Feed(VitalKind kind, int n, Values values) {
    TrendReading last;
    for (int i = 0; i < n; ++i, t_ += 1000) last = trend_.Observe(kind, values(i), t_);
    return last;
  }
  // Seconds of a 1 Hz feed until the level is judged drifted; -1 if never within `n`.
  template <typename Values>
  int SecondsToDrift(VitalKind kind, int n, Values values) {
    for (int i = 0; i < n; ++i, t_ += 1000) {
      if (trend_.Observe(kind, values(i), t_).drifted) return i;
    }
    return -1;
  }
  VitalTrend trend_;
  int64_t t_ = kT0;
};

TEST_F(VitalTrendTest, ANoisyButSteadyDeviceNeverDrifts) {
  const auto r = Feed(VitalKind::kHeartRate, 3600, [](int i) { return Wobble(75, i); });
  EXPECT_TRUE(r.warm);
  EXPECT_FALSE(r.drifted);
  EXPECT_NEAR(r.anchor, 75, 1);
}

TEST_F(VitalTrendTest, AGradualDriftIsCaughtOnceItDepartsByTheClinicalStep) {
  Feed(VitalKind::kHeartRate, 600, [](int i) { return Wobble(75, i); });
  // Half a beat a second: each reading moves less than any per-reading bound would notice.
  const int seconds =
      SecondsToDrift(VitalKind::kHeartRate, 600, [](int i) { return Wobble(75 + 0.5 * i, i); });
  ASSERT_GE(seconds, 0);
  EXPECT_LT(seconds, 130);  // 50 beats of departure plus the level's smoothing
  EXPECT_GT(seconds, 90);
}

TEST_F(VitalTrendTest, StepsUnderThePerReadingLimitAreCaughtWithinSeconds) {
  Feed(VitalKind::kSpo2, 300, [](int i) { return 97 + (i % 3) * 0.5; });
  // Two points a reading (the change bound allows ten) toward a dangerous saturation.
  const int seconds = SecondsToDrift(VitalKind::kSpo2, 60,
                                     [](int i) { return std::max(97.0 - 2 * (i + 1), 80.0); });
  ASSERT_GE(seconds, 0);
  EXPECT_LT(seconds, 10);
}

// A wearer's ten-minute run: +45/min within a minute, and back.
TEST_F(VitalTrendTest, ExerciseIsNoDrift) {
  Feed(VitalKind::kHeartRate, 1800, [](int i) { return Wobble(65, i); });
  const auto r = Feed(VitalKind::kHeartRate, 600, [](int i) { return Wobble(110, i); });
  EXPECT_FALSE(r.drifted);
}

TEST_F(VitalTrendTest, SleepLowersTheHeartRateWithoutADrift) {
  Feed(VitalKind::kHeartRate, 1800, [](int i) { return Wobble(80, i); });
  // 80 -> 58 over an hour, and a night there.
  const auto r = Feed(VitalKind::kHeartRate, 5 * 3600,
                      [](int i) { return Wobble(i < 3600 ? 80 - 22.0 * i / 3600 : 58, i); });
  EXPECT_FALSE(r.drifted);
}

TEST_F(VitalTrendTest, ALastingDriftIsLearntOnlySlowly) {
  Feed(VitalKind::kHeartRate, 600, [](int i) { return Wobble(70, i); });
  const auto r = Feed(VitalKind::kHeartRate, 600, [](int i) { return Wobble(140, i); });
  EXPECT_TRUE(r.drifted);  // ten minutes at 140 have not become the device's normal
  EXPECT_LT(r.anchor, 80);
}

TEST_F(VitalTrendTest, BodyWeightIsNotModelled) {
  const auto r = Feed(VitalKind::kBodyWeight, 100, [](int i) { return 70.0 + i; });
  EXPECT_FALSE(r.warm);
  EXPECT_FALSE(r.drifted);
}

TEST_F(VitalTrendTest, ABackdatedReadingIsNotLearnt) {
  Feed(VitalKind::kHeartRate, 100, [](int i) { return Wobble(70, i); });
  const auto before = trend_.Observe(VitalKind::kHeartRate, 70, t_);
  const auto backdated = trend_.Observe(VitalKind::kHeartRate, 200, t_ - 50'000);
  EXPECT_DOUBLE_EQ(backdated.level, before.level);
}

struct Judged {
  std::string_view why;
  bool drifted = false;
};

// A device that sends both pressures, or a saturation with its pulse, at 1 Hz: its trends.
class Device {
 public:
  Judged Send(std::vector<std::pair<VitalKind, double>> values) {
    Reading r;
    r.seq = ++seq_;
    Judged out;
    for (auto [kind, value] : values) {
      r.measurements.push_back({kind, value, t_});
      const size_t k = static_cast<size_t>(kind);
      judged_[k] = trends_[k].Observe(kind, value, t_);
      out.drifted |= judged_[k].drifted;
    }
    t_ += 1000;
    out.why = InconsistentVitals(r, judged_);
    return out;
  }

 private:
  std::array<VitalTrend, 8> trends_;
  std::array<TrendReading, 8> judged_{};
  int64_t t_ = kT0;
  uint64_t seq_ = 0;
};

TEST(InconsistentVitalsTest, SystolicClimbingAloneIsInconsistentBothClimbingIsNot) {
  Device one, both;
  for (int i = 0; i < 120; ++i) {
    ASSERT_TRUE(
        one.Send({{VitalKind::kSystolicBp, 120 + i % 4}, {VitalKind::kDiastolicBp, 80 + i % 3}})
            .why.empty());
  }
  for (int i = 0; i < 120; ++i) {
    both.Send({{VitalKind::kSystolicBp, 120 + i % 4}, {VitalKind::kDiastolicBp, 80 + i % 3}});
  }
  Judged alone, together;
  for (int i = 1; i <= 60; ++i) {
    alone = one.Send({{VitalKind::kSystolicBp, 120 + i}, {VitalKind::kDiastolicBp, 80}});
    together =
        both.Send({{VitalKind::kSystolicBp, 120 + i}, {VitalKind::kDiastolicBp, 80 + i / 2}});
  }
  EXPECT_TRUE(alone.drifted);
  EXPECT_EQ(alone.why, "systolic pressure moved from its normal without the diastolic");
  EXPECT_TRUE(together.drifted);  // a hypertensive episode: a drift, not a falsification sign
  EXPECT_TRUE(together.why.empty()) << together.why;
}

TEST(InconsistentVitalsTest, APulsePressureUnderTenIsInconsistentAtOnce) {
  EXPECT_EQ(Device().Send({{VitalKind::kSystolicBp, 100}, {VitalKind::kDiastolicBp, 95}}).why,
            "systolic pressure not above the diastolic by 10 mmHg");
}

TEST(InconsistentVitalsTest, SaturationFallingWithoutAPulseResponse) {
  Device flat_pulse, answering;
  for (int i = 0; i < 120; ++i) {
    flat_pulse.Send({{VitalKind::kSpo2, 97 + (i % 2) * 0.5}, {VitalKind::kHeartRate, 72 + i % 2}});
  }
  for (int i = 0; i < 120; ++i) {
    answering.Send({{VitalKind::kSpo2, 97 + (i % 2) * 0.5}, {VitalKind::kHeartRate, 72 + i % 2}});
  }
  Judged flat, answered;
  for (int i = 1; i <= 40; ++i) {
    flat = flat_pulse.Send(
        {{VitalKind::kSpo2, std::max(97.0 - i, 85.0)}, {VitalKind::kHeartRate, 72}});
    answered = answering.Send(
        {{VitalKind::kSpo2, std::max(97.0 - i, 85.0)}, {VitalKind::kHeartRate, 72.0 + i}});
  }
  EXPECT_EQ(flat.why, "oxygen saturation fell from its normal without a pulse response");
  EXPECT_TRUE(answered.why.empty()) << answered.why;
}

}  // namespace
}  // namespace vigil::model

namespace vigil::model {
namespace {

TEST(VitalTrendStateTest, ATrendRestoredJudgesAsTheOriginal) {
  VitalTrend original;
  int64_t t = kT0;
  for (int i = 0; i < 300; ++i, t += 1000) original.Observe(VitalKind::kSpo2, 97, t);
  const auto saved = original.Saved();
  VitalTrend restored;
  restored.Restore(std::vector<double>(saved.begin(), saved.end()));
  restored.Restore({1, 2});  // ignored
  for (int i = 1; i <= 20; ++i, t += 1000) {
    const auto a = original.Observe(VitalKind::kSpo2, 97 - i, t);
    const auto b = restored.Observe(VitalKind::kSpo2, 97 - i, t);
    EXPECT_EQ(a.drifted, b.drifted);
    EXPECT_DOUBLE_EQ(a.level, b.level);
  }
  EXPECT_TRUE(VitalTrend().empty());
  EXPECT_FALSE(restored.empty());
}

}  // namespace
}  // namespace vigil::model
