#include "core/histogram.h"

#include <sstream>

namespace vigil {

void LatencyHistogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string LatencyHistogram::Render(const std::string& name, const std::string& help) const {
  std::ostringstream out;
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out << name << "_bucket{le=\"" << kBounds[i] << "\"} " << cumulative << "\n";
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  out << name << "_bucket{le=\"+Inf\"} " << cumulative << "\n";
  out << name << "_sum " << static_cast<double>(sum_micros_.load()) / 1e6 << "\n";
  out << name << "_count " << count_.load() << "\n";
  return out.str();
}

}  // namespace vigil
