// `vigil serve`: the hub's listeners, I/O threads, group-commit writer and housekeeping, wired
// together. Configuration is validated before anything listens; shutdown (SIGTERM/SIGINT) stops
// accepting, lets every in-flight reading become durable and be acknowledged, then closes.
#pragma once

#include <memory>
#include <string>

#include "config/hub_config.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::server {

class HubServer {
 public:
  // Opens the hub in `layout` with `config` (flags already applied). Loads the master key,
  // opens the store, makes the TLS contexts; nothing listens yet.
  static Result<std::unique_ptr<HubServer>> Open(const HubLayout& layout, const HubConfig& config);
  virtual ~HubServer() = default;

  // Binds both listeners and starts the I/O threads.
  virtual Status Start() = 0;
  virtual uint16_t mqtt_port() const = 0;
  virtual uint16_t https_port() const = 0;
  // Blocks until SIGTERM or SIGINT, then shuts down gracefully.
  virtual void RunUntilSignalled() = 0;
  // Graceful shutdown; idempotent.
  virtual void Stop() = 0;
};

}  // namespace vigil::server
