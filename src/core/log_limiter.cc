#include "core/log_limiter.h"

#include <algorithm>

namespace vigil {

bool LogLimiter::Allow(const std::string& key, uint64_t& suppressed) {
  const int64_t now = clock_.NowMillis();
  std::lock_guard lock(mu_);
  if (buckets_.size() >= max_keys_ && !buckets_.count(key)) buckets_.clear();  // bound memory
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{static_cast<double>(burst_), now, 0});
  Bucket& b = it->second;
  if (!fresh) {
    const double refill = static_cast<double>(now - b.last_ms) / static_cast<double>(interval_ms_);
    b.tokens = std::min(static_cast<double>(burst_), b.tokens + std::max(0.0, refill));
    b.last_ms = now;
  }
  if (b.tokens < 1.0) {
    ++b.suppressed;
    return false;
  }
  b.tokens -= 1.0;
  suppressed = b.suppressed;
  b.suppressed = 0;
  return true;
}

void LogLimiter::Log(spdlog::level::level_enum level, const std::string& key,
                     const std::string& line) {
  uint64_t held_back = 0;
  if (!Allow(key, held_back)) return;
  if (held_back == 0) return spdlog::log(level, "{}", line);
  spdlog::log(level, "{} ({} more not logged)", line, held_back);
}

}  // namespace vigil
