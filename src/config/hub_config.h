// The hub's configuration file (config.toml): each module's options (declared in that module)
// under one [section] each, read and validated once at start-up with a clear error before
// anything listens.
#pragma once

#include <cstdint>
#include <string>

#include "access/access_options.h"
#include "core/hub_layout.h"
#include "core/status.h"
#include "detect/detect_options.h"
#include "ingest/ingest_limits.h"
#include "ledger/ledger_options.h"
#include "respond/respond_options.h"

namespace vigil {

enum class TlsMinVersion { kTls12, kTls13 };

struct ServeOptions {
  std::string bind = "127.0.0.1";
  uint16_t mqtt_port = 8883;
  uint16_t https_port = 8443;
  TlsMinVersion tls_min_version = TlsMinVersion::kTls13;
  int io_threads = 2;
  uint32_t group_commit_max_batch = 4096;  // readings folded into one transaction at most
  // Below this much free disk space readings are refused (and taken again at twice that);
  // 0 turns the watermark off (server/storage_watch.h).
  uint32_t min_free_mb = 64;
  // Where clients reach the hub's HTTPS API, "https://host[:port]" (the port defaults to
  // https_port): FHIR links are built on it, never on a request's Host header. "" is
  // https://localhost.
  std::string public_url;
};

// The base of absolute links: `public_url` with `https_port` added when it names no port.
std::string PublicBaseUrl(const std::string& public_url, uint16_t https_port);

struct HubConfig {
  std::string hub_name = "vigil";
  // [store] url: "" for the embedded SQLite store (vigil.db in the data directory), or a
  // PostgreSQL connection URI (postgresql://user@host:port/database) shared by several hubs.
  std::string store_url;
  ServeOptions serve;
  IngestLimits ingest;
  AccessOptions access;
  DetectOptions detect;
  RespondOptions respond;
  SiemOptions siem;
  LedgerOptions ledger;
};

// The origin of the hub's signed checkpoints and its ledger key's name (ledger/ledger_key.h):
// public_url's host[:port] as written (its port only if it names one, so a --https-port on the
// command line changes nothing; "localhost" if unset) + "/ledger/" + the hub's name.
std::string LedgerOriginOf(const HubConfig& config);

// Where the hub's store is: config.store_url, or the SQLite database in the data directory
// (what store::OpenStore takes).
std::string StoreLocationOf(const HubConfig& config, const HubLayout& layout);

// Reads and validates config.toml; unknown keys are refused so a typo is not silently ignored.
Result<HubConfig> LoadHubConfig(const std::string& path);

// The TOML text of `config`, with comments naming each setting.
std::string RenderHubConfig(const HubConfig& config);

}  // namespace vigil
