// Alerts of the detection engine (issue #6), kept in the hub's store (Store::alerts()) so that
// the security officer's CLI and API see them across restarts. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::store {

struct AlertRecord {
  int64_t id = 0;
  std::string kind, severity, entity, technique, summary;
  std::string evidence_json;  // a JSON object of strings
  int64_t first_ms = 0, last_ms = 0, count = 1;
  std::string status = "open";  // open, acknowledged, resolved
  std::string note;             // who acknowledged or resolved it, and why
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;
  // Stores a new alert; its id.
  virtual Result<int64_t> InsertAlert(const AlertRecord& alert) = 0;
  // Records a repeat: last seen, count, evidence and summary. NotFound for an unknown id.
  virtual Status UpdateAlert(const AlertRecord& alert) = 0;
  virtual Result<std::optional<AlertRecord>> FindAlert(int64_t id) = 0;
  // Newest first; `status` empty: any.
  virtual Result<std::vector<AlertRecord>> ListAlerts(const std::string& status,
                                                      uint64_t limit) = 0;
  // NotFound for an unknown id.
  virtual Status SetAlertStatus(int64_t id, const std::string& status, const std::string& note) = 0;
};

}  // namespace vigil::store
