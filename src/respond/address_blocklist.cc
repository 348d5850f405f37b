#include "server/address_blocklist.h"

namespace vigil::server {

void AddressBlocklist::Block(const std::string& address, int64_t for_ms) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  std::erase_if(until_ms_, [now](const auto& b) { return b.second <= now; });
  until_ms_[address] = now + for_ms;
}

bool AddressBlocklist::IsBlocked(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = until_ms_.find(address);
  return it != until_ms_.end() && it->second > clock_.NowMillis();
}

}  // namespace vigil::server
