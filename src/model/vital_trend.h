// A device's own normal for each vital sign, and the checks that catch falsified values which
// every per-reading bound lets through: a gradual drift, or steps each under the change limit
// (model/plausible_change.h), toward dangerous-looking but plausible values; and vital signs
// that stop moving together (a systolic pressure that climbs while the diastolic stays put, a
// saturation that falls while the pulse does not answer).
//
// The model, per device and kind: an *anchor* (the device's normal: a mean and a mean absolute
// deviation, exact over the first readings, then following the device over hours — time
// constant kAnchorTauMs — and learning from departed readings at a tenth of that) and a *level*
// (the recent values, smoothed over kLevelTauMs so that one noisy reading is not a trend). The
// level has drifted when it is further from the anchor than both the kind's clinical step and
// six of the device's own deviations. Values and times are canonical units and ms.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/reading.h"

namespace vigil::model {

// How far the level is from the anchor, for a reading that has just been learnt.
struct TrendReading {
  bool warm = false;     // enough readings to judge
  bool drifted = false;  // the level left the device's normal (see above)
  double level = 0, anchor = 0, spread = 0;
  double departure() const { return level - anchor; }
};

class VitalTrend {
 public:
  static constexpr int64_t kWarmupReadings = 30;
  static constexpr int64_t kAnchorTauMs = 2 * 3'600'000;
  static constexpr int64_t kLevelTauMs = 10'000;

  // Learns `value` measured at `effective_ms` (readings earlier than the latest learnt are
  // judged but not learnt) and says where the level stands. No model for kinds without a
  // clinical step (body weight: scales are shared).
  TrendReading Observe(VitalKind kind, double value, int64_t effective_ms);

  bool empty() const { return samples_ == 0; }
  // What it has learnt, as [samples, latest time, anchor, deviation, level] (kept across
  // restarts), and back; Restore ignores anything else.
  std::array<double, 5> Saved() const;
  void Restore(const std::vector<double>& saved);

 private:
  int64_t samples_ = 0;
  int64_t last_ms_ = 0;
  double anchor_ = 0, mad_ = 0, level_ = 0;
};

// Why the vital signs of one reading, seen against each kind's trend, do not belong together;
// empty when they do. Judged: a systolic pressure not above its diastolic by at least
// 10 mmHg; a systolic trend that departed with no diastolic response (under a sixth of it, or
// the other way); a saturation that fell 8 points or more below its normal while the pulse did
// not move by 2 beats a minute.
std::string_view InconsistentVitals(const Reading& reading,
                                    const std::array<TrendReading, 8>& trend_by_kind);

}  // namespace vigil::model
