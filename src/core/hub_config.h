// The hub's data directory layout and its configuration file (config.toml), validated once at
// start-up with a clear error before anything listens.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigil {

// Where everything of a hub lives below its data directory.
struct HubLayout {
  explicit HubLayout(std::string data_dir) : root(std::move(data_dir)) {}
  std::string root;
  std::string config() const { return root + "/config.toml"; }
  std::string ca_dir() const { return root + "/ca"; }
  std::string ca_key() const { return root + "/ca/ca.key"; }
  std::string ca_cert() const { return root + "/ca/ca.crt"; }
  std::string tls_dir() const { return root + "/tls"; }
  std::string server_key() const { return root + "/tls/server.key"; }
  std::string server_cert() const { return root + "/tls/server.crt"; }
  std::string keys_dir() const { return root + "/keys"; }
  std::string master_key() const { return root + "/keys/master.key"; }
  std::string ledger_key() const { return root + "/keys/ledger.key"; }
  std::string ledger_verifier_key() const { return root + "/ledger.vkey"; }
  std::string database() const { return root + "/vigil.db"; }
  std::string ledger_head() const { return root + "/ledger.head"; }  // ledger/signed_head.h
  std::string serve_lock() const { return root + "/serve.lock"; }    // held by `vigil serve`
};

enum class TlsMinVersion { kTls12, kTls13 };

// Limits on what one device may send; documented defaults.
struct IngestLimits {
  int64_t max_clock_skew_seconds = 300;    // |reading time - hub time| allowed
  uint32_t max_payload_bytes = 64 * 1024;  // one message's payload
  uint32_t max_packet_bytes = 128 * 1024;  // one MQTT packet, header included
  uint32_t max_measurements = 64;          // measurements in one message
  uint16_t max_inflight = 64;              // unacknowledged QoS 1 publishes per connection
  uint16_t max_keep_alive_seconds = 600;   // a larger keep-alive is lowered to this
  uint32_t max_connections = 20000;        // concurrent device connections
  // A connection whose peer takes no acknowledgement for this long (its TCP window stays
  // closed) is dropped; meanwhile the hub stops reading from it.
  uint32_t write_timeout_seconds = 30;
  // A device may subscribe under its own topic (devices/<id>/#, e.g. its command topic): granted
  // quietly (the hub sends nothing there yet). Any other subscription is refused and alerts.
  bool allow_own_topic_subscriptions = true;
};

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

// People-facing access: sessions and the API's worker pool.
struct AccessOptions {
  int64_t session_idle_seconds = 900;        // a session unused this long expires
  int64_t session_absolute_seconds = 28800;  // every session expires after 8 h
  int api_threads = 16;  // workers for API requests (they wait on Argon2id and durable audits)
};

// Detection thresholds (detect/rules.h says what each rule watches). The rules take
// this struct as their settings (detect::RuleSettings).
struct DetectOptions {
  bool enabled = true;  // off: no events are produced (to measure what detection costs)
  int64_t window_seconds = 60;
  int refused_connections = 10;        // refused connections from one address in the window
  int failed_logins = 5;               // failures for one account in the window (brute force)
  int spray_accounts = 5;              // distinct accounts failing from one address (spraying)
  int stuffing_addresses = 5;          // distinct addresses failing for one account (stuffing)
  int clone_addresses = 2;             // distinct addresses one device connects from (clone)
  int flood_messages_per_second = 50;  // one device's readings (accepted or refused)
  int patients_touched = 20;           // distinct patients one user reads in the window (insider)
  int replayed_readings = 3;           // one device's readings refused as replays
  int implausible_readings = 3;        // one device's implausible readings (range or change)
  int skewed_readings = 5;             // one device's readings with timestamps far off the clock
  int oversize_messages = 1;           // one device's messages over the size limits
  int topic_violations = 1;            // publishes to another topic, or subscriptions, by a device
  int reconnects = 10;                 // connections of one device in the window (reconnect storm)
  int mfa_failures = 3;                // wrong or reused TOTP codes for one account
  int bulk_reads = 60;                 // data requests by one user in the window (bulk collection)
  int baseline_score = 8;              // robust z-score at which a learned baseline alerts

  // Every threshold above by its config key, in the order config.toml lists them.
  std::vector<std::pair<const char*, int*>> Thresholds();
};

// Containment playbooks (respond/responder.h): per alert kind an action, overriding
// the defaults; and how long a blocked address stays blocked.
struct RespondOptions {
  std::map<std::string, std::string> actions;  // alert kind -> action
  int64_t block_minutes = 15;
};

// SIEM export (respond/siem_forwarder.h): alerts and audit events as JSON lines to a
// file and as RFC 5424 syslog to a collector.
struct SiemOptions {
  std::string jsonl_path;  // append JSON lines here (relative: to the data directory); "" off
  std::string syslog;      // "udp://host:port" or "tcp://host:port"; "" off
  bool audit = true;       // forward every audit ledger entry too (reading batches excepted)
  // Parsed from `syslog`.
  std::string syslog_protocol, syslog_host;
  int syslog_port = 0;
};

// The audit ledger (ledger/): where signed checkpoints are also kept, off the data directory.
struct LedgerOptions {
  // Every signed checkpoint is appended to this file (an absolute path, ideally on another
  // disk or a mount an auditor controls); `vigil verify --checkpoint FILE` then catches a
  // rollback of the whole data directory. "" off.
  std::string checkpoint_log;
};

struct HubConfig {
  std::string hub_name = "vigil";
  ServeOptions serve;
  IngestLimits ingest;
  AccessOptions access;
  DetectOptions detect;
  RespondOptions respond;
  SiemOptions siem;
  LedgerOptions ledger;
};

// Reads and validates config.toml; unknown keys are refused so a typo is not silently ignored.
Result<HubConfig> LoadHubConfig(const std::string& path);

// The TOML text of `config`, with comments naming each setting.
std::string RenderHubConfig(const HubConfig& config);

}  // namespace vigil
