// The last hour of ingest at a glance: every sample (the hub takes one every 10 s) keeps how many
// messages were accepted and refused since the one before, refusals by reason (messages' and
// connections' reasons, as /metrics names them). For the console's dashboard. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ingest/ingest_metrics.h"

namespace vigil::ingest {

struct IngestSample {
  int64_t time_ms = 0;    // when the sample was taken
  int64_t span_ms = 0;    // since the sample before
  uint64_t accepted = 0;  // messages accepted in the span
  uint64_t refused = 0;   // messages and connections refused in the span
  std::map<std::string, uint64_t> refused_by_reason;  // only reasons that occurred
};

class IngestHistory {
 public:
  explicit IngestHistory(int64_t window_ms = 3'600'000) : window_ms_(window_ms) {}

  // Takes a sample of `metrics` at `now_ms` (the first call only sets the baseline); drops
  // samples older than the window.
  void Sample(int64_t now_ms, const IngestMetrics& metrics);

  // The samples within the window, oldest first.
  std::vector<IngestSample> Samples() const;

 private:
  struct Totals {
    uint64_t accepted = 0;
    std::map<std::string, uint64_t> refused;  // by reason, cumulative
  };
  static Totals Read(const IngestMetrics& metrics);

  const int64_t window_ms_;
  mutable std::mutex mu_;
  bool have_baseline_ = false;
  int64_t last_ms_ = 0;
  Totals last_;
  std::deque<IngestSample> samples_;
};

}  // namespace vigil::ingest
