// The network an address belongs to, for counting traffic from anyone who has not said who they
// are: an IPv4 address's /24, an IPv6 address's /48 (what one site or provider customer
// usually holds). Anything that does not parse is its own prefix.
#pragma once

#include <arpa/inet.h>

#include <cstdio>
#include <string>

namespace vigil {

inline std::string AddressPrefix(const std::string& address) {
  unsigned char bytes[16];
  if (::inet_pton(AF_INET, address.c_str(), bytes) == 1) {
    char out[32];
    std::snprintf(out, sizeof out, "%u.%u.%u.0/24", bytes[0], bytes[1], bytes[2]);
    return out;
  }
  if (::inet_pton(AF_INET6, address.c_str(), bytes) == 1) {
    char out[48];
    std::snprintf(out, sizeof out, "%x:%x:%x::/48", (bytes[0] << 8) | bytes[1],
                  (bytes[2] << 8) | bytes[3], (bytes[4] << 8) | bytes[5]);
    return out;
  }
  return address;
}

}  // namespace vigil
