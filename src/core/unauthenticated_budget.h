// How much of the audit ledger people who have not said who they are may cause: per network
// prefix (core/address_prefix.h) a burst of entries, then one a minute; and over the whole hub
// a burst, then one a second. What is left out is counted and carried by the next entry that
// is written (its prefix's own count, and the hub-wide count of everyone else's), so an
// attacker with many addresses grows the ledger at a bounded rate while every event still
// shows up in the counts. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/address_prefix.h"
#include "core/log_limiter.h"

namespace vigil {

class UnauthenticatedBudget {
 public:
  explicit UnauthenticatedBudget(const Clock& clock)
      : per_prefix_(clock, 10, 60'000), hub_wide_(clock, 100, 1'000) {}

  struct Admission {
    bool write = false;           // write an entry for this event
    std::string prefix;           // the address's network
    uint64_t suppressed = 0;      // this prefix's events left out since its last entry
    uint64_t suppressed_all = 0;  // other prefixes' events left out hub-wide since the last entry
  };

  // Whether an event from `address` gets an entry now.
  Admission Admit(const std::string& address) {
    Admission a;
    a.prefix = AddressPrefix(address);
    if (!per_prefix_.Allow(a.prefix, a.suppressed)) return a;
    uint64_t unused = 0;
    if (!hub_wide_.Allow("*", unused)) {
      left_out_.fetch_add(1 + a.suppressed);
      return a;
    }
    a.write = true;
    a.suppressed_all = left_out_.exchange(0);
    return a;
  }

 private:
  LogLimiter per_prefix_;
  LogLimiter hub_wide_;
  std::atomic<uint64_t> left_out_{0};
};

}  // namespace vigil
