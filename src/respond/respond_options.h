// Containment playbooks and SIEM export ([respond] and [siem] in config.toml).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace vigil {

// Containment playbooks (respond/responder.h): per alert kind an action, overriding
// the defaults; and how long a blocked address stays blocked.
struct RespondOptions {
  std::map<std::string, std::string> actions;  // alert kind -> action
  int64_t block_minutes = 15;
  // Device types whose quarantine keeps accepting vital signs and refuses everything else, so
  // that a security response does not stop a patient's monitoring (e.g. "bedside-monitor").
  std::set<std::string> vitals_only_device_types;
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

}  // namespace vigil
