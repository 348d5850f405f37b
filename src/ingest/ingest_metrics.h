// Counters of the ingest path, shared by the MQTT and HTTPS listeners and the pipeline, and
// their Prometheus rendering. All members are safe to update from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "core/histogram.h"
#include "ingest/refusal.h"

namespace vigil::ingest {

// Why a device connection was refused or ended abnormally (a label in /metrics).
enum class ConnectionRefusal : uint8_t {
  kTlsHandshake,         // no certificate, another CA, bad protocol version...
  kUnknownDevice,        // certificate CN is not an enrolled device
  kRevoked,              // device revoked
  kCertificateMismatch,  // a certificate other than the one issued at enrolment
  kClientIdMismatch,     // CONNECT client id differs from the certificate's CN
  kProtocol,             // malformed or unexpected packet
  kPacketTooLarge,
  kKeepAliveTimeout,
  kTooManyConnections,
  kQuarantined,       // held by a containment playbook until `vigil device release`
  kAddressBlocked,    // the peer address is blocked for a while by a containment playbook
  kWriteTimeout,      // the peer took none of the hub's answers for write_timeout_seconds
  kStoreUnavailable,  // the store could not be read to check the device (e.g. a failover)
  kCount,
};

std::string_view ConnectionRefusalName(ConnectionRefusal reason);

struct IngestMetrics {
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<int64_t> connections_open{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(ConnectionRefusal::kCount)>
      connections_refused{};
  std::atomic<uint64_t> messages_accepted{0};
  std::atomic<uint64_t> observations_stored{0};
  std::atomic<uint64_t> duplicates_acknowledged{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Refusal::kCount)> messages_refused{};
  LatencyHistogram commit_latency;
  std::atomic<uint64_t> commits{0};

  void Refused(Refusal r) { messages_refused[static_cast<size_t>(r)].fetch_add(1); }
  void Refused(ConnectionRefusal r) { connections_refused[static_cast<size_t>(r)].fetch_add(1); }

  // Prometheus text exposition (version 0.0.4) of every counter.
  std::string RenderPrometheus() const;
};

}  // namespace vigil::ingest
