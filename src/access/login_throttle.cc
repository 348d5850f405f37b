#include "access/login_throttle.h"

#include <algorithm>

namespace vigil::access {

int64_t LoginThrottle::Wait(const Failures& f, int scale, int64_t now) const {
  if (now - f.first_ms > policy_.window_ms && f.count < policy_.lock_after * scale) return 0;
  if (f.count >= policy_.lock_after * scale)
    return std::max<int64_t>(0, f.last_ms + policy_.lock_ms - now);
  const int over = f.count - policy_.free_failures * scale;
  if (over <= 0) return 0;
  const int64_t delay =
      std::min<int64_t>(policy_.max_delay_ms, int64_t{1000} << std::min(over - 1, 20));
  return std::max<int64_t>(0, f.last_ms + delay - now);
}

void LoginThrottle::Note(Failures& f, int scale, int64_t now) const {
  const bool locked = f.count >= policy_.lock_after * scale;
  if (f.count == 0 || (!locked && now - f.first_ms > policy_.window_ms) ||
      (locked && now - f.last_ms > policy_.lock_ms)) {
    f = {0, now, now};
  }
  ++f.count;
  f.last_ms = now;
}

void LoginThrottle::Prune(std::unordered_map<std::string, Failures>& table, int64_t now) const {
  std::erase_if(table, [&](const auto& entry) {
    return now - entry.second.last_ms > std::max(policy_.window_ms, policy_.lock_ms);
  });
}

int64_t LoginThrottle::RetryAfterMs(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  int64_t wait = 0;
  if (auto it = accounts_.find(account); it != accounts_.end()) wait = Wait(it->second, 1, now);
  if (auto it = addresses_.find(address); it != addresses_.end()) {
    wait = std::max(wait, Wait(it->second, policy_.address_factor, now));
  }
  return wait;
}

void LoginThrottle::RecordFailure(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  for (auto* table : {&accounts_, &addresses_}) {
    if (table->size() >= kMaxTracked) Prune(*table, now);
  }
  Note(accounts_[account], 1, now);
  Note(addresses_[address], policy_.address_factor, now);
}

void LoginThrottle::RecordSuccess(const std::string& account) {
  std::lock_guard lock(mu_);
  accounts_.erase(account);
}

bool LoginThrottle::IsLocked(const std::string& account) {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(account);
  return it != accounts_.end() && it->second.count >= policy_.lock_after &&
         Wait(it->second, 1, clock_.NowMillis()) > 0;
}

void LoginThrottle::Unlock(const std::string& account) {
  std::lock_guard lock(mu_);
  accounts_.erase(account);
}

}  // namespace vigil::access
