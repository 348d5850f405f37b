// Who may connect: maps a verified client certificate to an enrolled, active device, and keeps
// the live connections of each device so that a revocation (made by `vigil device revoke` in
// another process) drops them within a second. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/log_limiter.h"
#include "ingest/ingest_metrics.h"
#include "ingest/pipeline.h"
#include "store/device_registry.h"

namespace vigil::server {

class DeviceDirectory {
 public:
  explicit DeviceDirectory(store::DeviceRegistry& store) : store_(store) {}

  // The device a verified peer certificate (DER) speaks for, or why it may not connect.
  std::variant<ingest::DeviceIdentity, ingest::ConnectionRefusal> Authenticate(
      std::string_view peer_certificate_der);

  // Why the directory closes a live connection.
  enum class CloseReason { kAccessWithdrawn, kTakenOver };
  using CloseFunction = std::function<void(CloseReason)>;
  // When a connection last sent a message (epoch ms), kept by the connection, read here.
  using HeardAt = std::shared_ptr<const std::atomic<int64_t>>;
  // Registers a live connection of `device_id`; `close` is called (from any thread) if the
  // device is revoked or quarantined, or another connection takes its place. `heard_at`, if
  // given, is when it last sent something. Returns a token for Unregister.
  uint64_t Register(const std::string& device_id, CloseFunction close, HeardAt heard_at = {});
  void Unregister(const std::string& device_id, uint64_t token);

  // Re-reads device states from the store and closes connections of devices now revoked or
  // quarantined; learns which devices are restricted to vital signs.
  // Returns how many connections were closed.
  size_t RefreshRevocations();

  // Whether a containment playbook restricted the device to sending vital signs (as of the last
  // refresh): its readings are taken, anything else (a SUBSCRIBE) refused.
  bool IsVitalsOnly(const std::string& device_id);

  // What the directory saw since the last call: devices authenticated (when, and their
  // certificate's end) and live connections that sent something since; one entry a device. For
  // the store (DeviceRegistry::RecordDeviceActivity).
  std::vector<store::DeviceActivity> TakeActivity();

  // How many devices hold a live connection now.
  size_t ConnectedCount() {
    std::lock_guard lock(mu_);
    return live_.size();
  }

 private:
  struct Connection {
    uint64_t token;
    CloseFunction close;
    HeardAt heard_at;
    int64_t reported_ms = 0;  // heard_at as TakeActivity last gave it
  };
  store::DeviceRegistry& store_;
  LogLimiter errors_{SystemClock::Instance(), 1, 30'000};  // a store down: a line per 30 s
  std::mutex mu_;
  uint64_t next_token_ = 1;
  std::unordered_map<std::string, Connection> live_;             // one connection per device id
  std::unordered_set<std::string> vitals_only_;                  // under mu_
  std::unordered_map<std::string, store::DeviceActivity> seen_;  // since TakeActivity, under mu_
};

}  // namespace vigil::server
