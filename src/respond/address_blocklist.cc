#include "respond/address_blocklist.h"

#include <algorithm>

namespace vigil::respond {

Status AddressBlocklist::Block(const std::string& address, int64_t for_ms,
                               const std::string& reason) {
  const int64_t now = clock_.NowMillis();
  {
    std::lock_guard lock(mu_);
    Held& held = blocks_[address];
    held.until_ms = std::max(held.until_ms, now + for_ms);
    held.blocked_in = ++blocks_made_;
  }
  return store_.PutAddressBlock({address, now, now + for_ms, reason});
}

bool AddressBlocklist::IsBlocked(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(address);
  return it != blocks_.end() && it->second.until_ms > clock_.NowMillis();
}

Status AddressBlocklist::Refresh() {
  uint64_t made_before = 0;
  {
    std::lock_guard lock(mu_);
    made_before = blocks_made_;
  }
  VIGIL_ASSIGN_OR_RETURN(auto stored, store_.ListAddressBlocks(clock_.NowMillis()));
  std::unordered_map<std::string, Held> fresh;
  for (const auto& b : stored) fresh[b.address] = {b.until_ms, 0};
  std::lock_guard lock(mu_);
  for (const auto& [address, held] : blocks_) {
    if (held.blocked_in > made_before) fresh[address] = held;  // put while the store was read
  }
  blocks_ = std::move(fresh);
  return Status::Ok();
}

}  // namespace vigil::respond
