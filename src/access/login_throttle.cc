#include "access/login_throttle.h"

#include <algorithm>

namespace vigil::access {

int64_t LoginThrottle::Backoff(const Failures& f, int free, int64_t now) const {
  if (f.count < free || !Fresh(f, now)) return 0;
  const int64_t delay =
      std::min<int64_t>(policy_.max_delay_ms, int64_t{1000} << std::min(f.count - free, 20));
  return std::max<int64_t>(0, f.last_ms + delay - now);
}

void LoginThrottle::Note(Failures& f, int64_t now, int64_t keep_ms) const {
  if (f.count == 0 || now - f.last_ms > keep_ms || !Fresh(f, now)) f = {0, now, now};
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
  if (auto it = pairs_.find(PairKey(account, address)); it != pairs_.end()) {
    wait = Backoff(it->second, policy_.free_failures, now);
  }
  if (auto it = addresses_.find(address); it != addresses_.end()) {
    const Failures& f = it->second;
    if (f.count >= policy_.lock_after * policy_.address_factor) {
      wait = std::max(wait, f.last_ms + policy_.lock_ms - now);
    } else {
      wait = std::max(wait, Backoff(f, policy_.free_failures * policy_.address_factor, now));
    }
  }
  if (auto it = accounts_.find(account);
      it != accounts_.end() && it->second.count >= policy_.account_limit &&
      Fresh(it->second, now) && !known_.count(PairKey(account, address))) {
    wait = std::max(wait, it->second.first_ms + policy_.window_ms - now);
  }
  return std::max<int64_t>(0, wait);
}

void LoginThrottle::RecordFailure(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  for (auto* table : {&pairs_, &addresses_, &accounts_}) {
    if (table->size() >= kMaxTracked) Prune(*table, now);
  }
  Note(pairs_[PairKey(account, address)], now, policy_.window_ms);
  Note(addresses_[address], now, policy_.lock_ms);
  Note(accounts_[account], now, policy_.window_ms);
}

void LoginThrottle::RecordSuccess(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  const std::string key = PairKey(account, address);
  pairs_.erase(key);
  if (known_.size() >= kMaxTracked) known_.clear();  // forgetting only costs known addresses
  known_[key] = clock_.NowMillis();
}

bool LoginThrottle::IsLocked(const std::string& account) {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(account);
  return it != accounts_.end() && it->second.count >= policy_.account_limit &&
         Fresh(it->second, clock_.NowMillis());
}

void LoginThrottle::Unlock(const std::string& account) {
  std::lock_guard lock(mu_);
  accounts_.erase(account);
  const std::string prefix = account + '\n';
  std::erase_if(pairs_,
                [&](const auto& e) { return e.first.compare(0, prefix.size(), prefix) == 0; });
}

}  // namespace vigil::access
