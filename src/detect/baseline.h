// Learned baselines (the unsupervised part of detection): per device and per user,
// a streaming estimate of each feature's normal value and spread that needs no labels, adapts
// slowly, and says which feature made an alert and by how much.
//
// The estimator is robust statistics on a stream: an exponentially weighted centre and mean
// absolute deviation (scaled by 1.2533 to estimate a standard deviation under normality),
// computed exactly over the first `warmup` samples and then with learning rate `rate`. A sample's
// score is its distance from the centre in spreads (a robust z-score); samples that score above
// the alert threshold are learned from at a tenth of the rate, so an attack does not quickly
// become the new normal while a lasting, genuine change is still absorbed. The spread has a floor
// (a fraction of the centre) so that a perfectly regular device does not alert on noise.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "detect/rules.h"

namespace vigil::detect {

class RobustBaseline {
 public:
  // The spread is at least `floor_fraction` of the centre and at least `floor_absolute`.
  RobustBaseline(int64_t warmup, double rate, double floor_fraction, double floor_absolute = 0)
      : warmup_(warmup),
        rate_(rate),
        floor_fraction_(floor_fraction),
        floor_absolute_(floor_absolute) {}
  // How far `x` is from normal, in spreads; 0 until the baseline has warmed up.
  double Score(double x) const;
  // Learns `x`; `anomalous` samples are learned from slowly.
  void Learn(double x, bool anomalous);
  bool warm() const { return samples_ >= warmup_; }
  double center() const { return center_; }
  double spread() const;
  int64_t samples() const { return samples_; }
  // What it has learnt, as [samples, centre, mean absolute deviation] (kept across restarts),
  // and back; Restore ignores anything else.
  std::vector<double> Saved() const { return {static_cast<double>(samples_), center_, mad_}; }
  void Restore(const std::vector<double>& saved) {
    if (saved.size() != 3 || saved[0] < 0) return;
    samples_ = static_cast<int64_t>(saved[0]);
    center_ = saved[1];
    mad_ = saved[2];
  }

 private:
  int64_t warmup_;
  double rate_;
  double floor_fraction_;
  double floor_absolute_;
  int64_t samples_ = 0;
  double center_ = 0;
  double mad_ = 0;
};

struct BaselineSettings {
  double threshold = 8;         // robust z-score that raises an alert
  int64_t device_warmup = 120;  // messages before a device's baseline judges
  int64_t user_warmup = 10;     // active buckets before a user's baseline judges
  double rate = 0.01;           // learning rate once warm
  int recent = 5;               // device features are the median of this many (at most 16)
  int64_t user_bucket_ms = 60'000;
};

// The rule that keeps the baselines: per device, the interval between messages (its log) and
// message size, each as the median of the last few messages; per user, rows of data sent and
// distinct patients per bucket of activity. Raises "device-behaviour" and "user-behaviour" alerts
// whose evidence names the feature, the value, the learned centre and spread, and the score.
std::unique_ptr<Rule> MakeBaselineRule(const BaselineSettings& settings);

}  // namespace vigil::detect
