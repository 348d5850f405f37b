// Slows down repeated login failures without letting an attacker lock the real user out
// (NIST SP 800-63B §5.2.2). Failures count
//  - per account *and* source address: 3 free, then each next try waits 1 s, 2 s, 4 s ... up to
//    60 s — the attacker's address is slowed, the user at another address is not;
//  - per source address over all accounts (a password spray), with `address_factor` times the
//    allowance, and a lock of that address after `lock_after` x that factor failures;
//  - per account over all addresses: past `account_limit` failures within the window
//    (credential stuffing from many addresses), only addresses that have logged in to that
//    account before may try until the window passes.
// Unknown usernames are throttled exactly like real ones, so the throttle does not tell an
// attacker which accounts exist. In memory: a restart forgets it (the ledger does not).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace vigil::access {

struct ThrottlePolicy {
  int free_failures = 3;            // failures before any delay
  int64_t max_delay_ms = 60'000;    // delays double from 1 s up to this
  int lock_after = 10;              // x address_factor: failures that lock an address
  int64_t lock_ms = 15 * 60'000;    // how long a locked address stays locked
  int64_t window_ms = 15 * 60'000;  // failures older than this are forgotten
  int address_factor = 4;           // an address gets this many times a pair's allowance
  int account_limit = 100;          // failures of one account before unknown addresses wait
};

class LoginThrottle {
 public:
  LoginThrottle(const Clock& clock, ThrottlePolicy policy) : clock_(clock), policy_(policy) {}

  // 0 if a login for `account` from `address` may be tried now; otherwise how many
  // milliseconds until it may (the caller answers 429 with Retry-After).
  int64_t RetryAfterMs(const std::string& account, const std::string& address);
  void RecordFailure(const std::string& account, const std::string& address);
  // A success clears the pair's failures and makes `address` known for the account.
  void RecordSuccess(const std::string& account, const std::string& address);
  // Whether the account is past its limit (unknown addresses wait), for the response's wording.
  bool IsLocked(const std::string& account);
  // Clears an account's failures (`vigil user unlock`, the admin API).
  void Unlock(const std::string& account);

 private:
  struct Failures {
    int count = 0;
    int64_t first_ms = 0;
    int64_t last_ms = 0;
  };
  // The backoff after `f`: `free` failures free, then 1 s doubling to max_delay_ms.
  int64_t Backoff(const Failures& f, int free, int64_t now) const;
  void Note(Failures& f, int64_t now, int64_t keep_ms) const;
  bool Fresh(const Failures& f, int64_t now) const { return now - f.first_ms <= policy_.window_ms; }
  // Forgets entries too old to matter (bounds memory under a spray from many addresses).
  void Prune(std::unordered_map<std::string, Failures>& table, int64_t now) const;
  static std::string PairKey(const std::string& account, const std::string& address) {
    return account + '\n' + address;
  }
  static constexpr size_t kMaxTracked = 100'000;

  const Clock& clock_;
  const ThrottlePolicy policy_;
  std::mutex mu_;
  std::unordered_map<std::string, Failures> pairs_;      // account \n address
  std::unordered_map<std::string, Failures> addresses_;  // address
  std::unordered_map<std::string, Failures> accounts_;   // account
  std::unordered_map<std::string, int64_t> known_;       // account \n address -> last success
};

}  // namespace vigil::access
