// Slows down and then locks repeated login failures, per account and per source address
// (issue #5). Unknown usernames are throttled exactly like real ones, so the throttle does not
// tell an attacker which accounts exist. In memory: a restart forgets it (the ledger does not).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace vigil::access {

struct ThrottlePolicy {
  int free_failures = 3;          // failures before any delay
  int lock_after = 10;            // failures (within the window) that lock
  int64_t max_delay_ms = 60'000;  // delays double from 1 s up to this
  int64_t lock_ms = 15 * 60'000;
  int64_t window_ms = 15 * 60'000;  // failures older than this are forgotten
  int address_factor = 4;           // an address gets this many times an account's allowance
};

class LoginThrottle {
 public:
  LoginThrottle(const Clock& clock, ThrottlePolicy policy) : clock_(clock), policy_(policy) {}

  // 0 if a login for `account` from `address` may be tried now; otherwise how many
  // milliseconds until it may (the caller answers 429 with Retry-After).
  int64_t RetryAfterMs(const std::string& account, const std::string& address);
  void RecordFailure(const std::string& account, const std::string& address);
  // A success clears the account's failures (not the address's).
  void RecordSuccess(const std::string& account);
  // Whether the account is locked (lock_after failures), for the response's wording.
  bool IsLocked(const std::string& account);
  // Clears an account's failures (`vigil user unlock`, later an admin API).
  void Unlock(const std::string& account);

 private:
  struct Failures {
    int count = 0;
    int64_t first_ms = 0;
    int64_t last_ms = 0;
  };
  int64_t Wait(const Failures& f, int scale, int64_t now) const;
  void Note(Failures& f, int scale, int64_t now) const;
  // Forgets failures too old to matter (bounds memory under a spray from many addresses).
  void Prune(std::unordered_map<std::string, Failures>& table, int64_t now) const;
  static constexpr size_t kMaxTracked = 100'000;

  const Clock& clock_;
  const ThrottlePolicy policy_;
  std::mutex mu_;
  std::unordered_map<std::string, Failures> accounts_;
  std::unordered_map<std::string, Failures> addresses_;
};

}  // namespace vigil::access
