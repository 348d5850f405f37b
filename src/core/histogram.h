// A lock-free latency histogram with fixed buckets, rendered as a Prometheus histogram.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace vigil {

class LatencyHistogram {
 public:
  // Upper bounds in seconds, ascending; +Inf is implied.
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                     0.05,   0.1,   0.25,  0.5,   1.0,  2.5};
  void Observe(double seconds);
  // Prometheus text exposition lines for metric `name` (with HELP and TYPE).
  std::string Render(const std::string& name, const std::string& help) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

}  // namespace vigil
