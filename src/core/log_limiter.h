// Keeps a misbehaving peer from flooding the log: each key (a device id, a peer address) may log
// `burst` lines, then one per `interval`; what is held back is counted and reported with the
// next line that passes. Thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace vigil {

class LogLimiter {
 public:
  LogLimiter(const Clock& clock, int burst, int64_t interval_ms, size_t max_keys = 100000)
      : clock_(clock), burst_(burst), interval_ms_(interval_ms), max_keys_(max_keys) {}

  // Whether a line for `key` may be written now. When it may, `suppressed` is set to how many
  // lines for that key were held back since the last one written.
  bool Allow(const std::string& key, uint64_t& suppressed);

  // Writes `line` at `level` if a line for `key` may be written now, followed by how many were
  // held back since the last one.
  void Log(spdlog::level::level_enum level, const std::string& key, const std::string& line);

 private:
  struct Bucket {
    double tokens;
    int64_t last_ms;
    uint64_t suppressed;
  };
  const Clock& clock_;
  const int burst_;
  const int64_t interval_ms_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace vigil
