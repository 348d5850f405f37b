// `vigil witness` over HTTP: POST <prefix>/add-checkpoint (C2SP tlog-witness) answered by a
// witness::Witness; anything else 404. Plain HTTP: what it receives and returns is public and
// signed (checkpoints, cosignatures), so TLS adds no integrity; put a TLS terminator in front
// when it is reached over a network you do not trust for availability. Requests are capped at
// 64 KiB and 10 s, connections at 64 at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "core/status.h"
#include "witness/witness.h"

namespace vigil::server {

class WitnessServer {
 public:
  // Listens on `address`:`port` (0: a free port).
  static Result<std::unique_ptr<WitnessServer>> Start(witness::Witness& witness,
                                                      const std::string& address, uint16_t port);
  ~WitnessServer();
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  explicit WitnessServer(std::unique_ptr<Impl> impl, uint16_t port);
  std::unique_ptr<Impl> impl_;
  uint16_t port_;
};

}  // namespace vigil::server
