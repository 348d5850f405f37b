#include "sim/sim_stats.h"

#include <cmath>

namespace vigil::sim {
namespace {
constexpr double kMinSeconds = 1e-6;
constexpr double kGrowth = 1.05;
}  // namespace

void LatencyRecorder::Record(double seconds) {
  const double ratio = std::max(seconds, kMinSeconds) / kMinSeconds;
  const auto index = static_cast<size_t>(std::log(ratio) / std::log(kGrowth));
  buckets_[std::min(index, kBuckets - 1)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

double LatencyRecorder::Percentile(double p) const {
  const uint64_t total = count_.load();
  if (total == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) return kMinSeconds * std::pow(kGrowth, static_cast<double>(i) + 0.5);
  }
  return kMinSeconds * std::pow(kGrowth, kBuckets);
}

void SimStats::RecordAcked(const std::string& device_id, uint64_t seq) {
  if (!keep_acked) return;
  std::lock_guard lock(acked_mu);
  acked_ids.push_back(device_id + " " + std::to_string(seq));
}

}  // namespace vigil::sim
