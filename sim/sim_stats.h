// Counters and acknowledgement latencies of a simulator run, shared by all simulated devices.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::sim {

// Log-scale latency histogram (1 us to ~100 s, 5% resolution) for percentiles. Thread-safe.
class LatencyRecorder {
 public:
  void Record(double seconds);
  // The p-th percentile (0 < p < 100) in seconds; 0 when nothing was recorded.
  double Percentile(double p) const;
  uint64_t count() const { return count_.load(); }

 private:
  static constexpr size_t kBuckets = 400;
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
};

struct SimStats {
  std::atomic<uint64_t> sent{0};     // distinct readings handed to the network
  std::atomic<uint64_t> resent{0};   // retransmissions after a reconnect
  std::atomic<uint64_t> acked{0};    // acknowledged as stored (or already stored)
  std::atomic<uint64_t> refused{0};  // acknowledged with a refusal reason (MQTT 5)
  std::atomic<uint64_t> connects{0};
  std::atomic<uint64_t> connect_failures{0};
  std::atomic<uint64_t> disconnects{0};
  LatencyRecorder ack_latency;

  // Every (device, seq) acknowledged, when asked for (--acked-out).
  bool keep_acked = false;
  std::mutex acked_mu;
  std::vector<std::string> acked_ids;
  void RecordAcked(const std::string& device_id, uint64_t seq);
};

}  // namespace vigil::sim
