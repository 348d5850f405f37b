// Peer addresses a containment playbook has blocked for a while: sign-ins from them (POST
// /auth/login and /auth/mfa) are refused; devices and signed-in people behind the same address
// go on (https_server.cc). In memory (a restart lifts every block; the ledger keeps the
// record). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace vigil::server {

class AddressBlocklist {
 public:
  explicit AddressBlocklist(const Clock& clock) : clock_(clock) {}
  void Block(const std::string& address, int64_t for_ms);
  bool IsBlocked(const std::string& address);

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, int64_t> until_ms_;
};

}  // namespace vigil::server
