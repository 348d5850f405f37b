// Peer addresses a containment playbook has blocked for a while: sign-ins from them (POST
// /auth/login and /auth/mfa) are refused; devices and signed-in people behind the same address
// go on (https_server.cc). The blocks live in the store (store::AlertStore), so that every hub
// sharing it refuses the address and a restart lifts nothing; this is the hub's copy, reloaded
// once a second (Refresh) to take in blocks put by other hubs and blocks lifted by people
// (`vigil address unblock`, the security API). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/status.h"
#include "store/alert_store.h"

namespace vigil::respond {

class AddressBlocklist {
 public:
  AddressBlocklist(const Clock& clock, store::AlertStore& store) : clock_(clock), store_(store) {}

  // Blocks `address` for `for_ms`: here at once, whatever the store says, and in the store for
  // the other hubs and the next start (its error is returned).
  Status Block(const std::string& address, int64_t for_ms, const std::string& reason);
  bool IsBlocked(const std::string& address);
  // Takes the store's blocks in force as this hub's (a block put here while the store was read
  // is kept).
  Status Refresh();

 private:
  struct Held {
    int64_t until_ms = 0;
    uint64_t blocked_in = 0;  // the Block call that put it here (0: a Refresh)
  };
  const Clock& clock_;
  store::AlertStore& store_;
  std::mutex mu_;
  std::unordered_map<std::string, Held> blocks_;  // under mu_
  uint64_t blocks_made_ = 0;                      // Block calls so far, under mu_
};

}  // namespace vigil::respond
