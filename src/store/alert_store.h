// Alerts of the detection engine and the incidents that group them, kept in the hub's
// store (Store::alerts()) so that the security officer's CLI and API see them across restarts.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
  int64_t incident_id = 0;      // the incident it belongs to (0: none yet)
};

// Related alerts grouped into one case: what it is about (entities such as "user:alice",
// "address:10.0.0.5"), how bad (the worst of its alerts), and its state.
struct IncidentRecord {
  int64_t id = 0;
  std::string title;
  std::string severity;
  std::string status = "open";  // open, closed
  int64_t first_ms = 0, last_ms = 0;
  std::vector<std::string> entities;
  std::string note;  // who closed it, and why
};

// One line of an incident's timeline: an alert raised, a containment action, a status change.
struct IncidentEvent {
  int64_t incident_id = 0;
  int64_t time_ms = 0;
  std::string what;    // "alert", "response", "alert-status", "incident-status"
  std::string detail;  // one line for people; no health data
  int64_t alert_id = 0;
};

// A peer address a containment playbook blocked from signing in (respond/address_blocklist.h):
// kept in the store so that every hub sharing it refuses the address, and so that a restart
// does not lift it.
struct AddressBlockRecord {
  std::string address;
  int64_t since_ms = 0, until_ms = 0;
  std::string reason;  // "alert 12 (password-spraying)": why, for the people who lift it
};

// A patient's monitoring stopped or restricted by containment (a device quarantined or held to
// vital signs), for the patient's care team: served as a FHIR Flag. Its text names the device
// and why, never a value.
struct MonitoringNotice {
  int64_t id = 0;
  std::string patient_id, device_id;
  std::string text;
  int64_t since_ms = 0;
  int64_t until_ms = 0;  // 0: still in force
};

// An incident's entities as the stores keep them: space-separated (an entity never contains a
// space), and back.
inline std::string JoinEntities(const std::vector<std::string>& entities) {
  std::string out;
  for (const auto& e : entities) out += (out.empty() ? "" : " ") + e;
  return out;
}

inline std::vector<std::string> SplitEntities(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

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

  // Incidents. A new one's id.
  virtual Result<int64_t> InsertIncident(const IncidentRecord& incident) = 0;
  // Title, severity, last seen, entities, status and note. NotFound for an unknown id.
  virtual Status UpdateIncident(const IncidentRecord& incident) = 0;
  virtual Result<std::optional<IncidentRecord>> FindIncident(int64_t id) = 0;
  // Newest first; `status` empty: any.
  virtual Result<std::vector<IncidentRecord>> ListIncidents(const std::string& status,
                                                            uint64_t limit) = 0;
  // Files alert `alert_id` under incident `incident_id`. NotFound for an unknown alert.
  virtual Status SetAlertIncident(int64_t alert_id, int64_t incident_id) = 0;
  // The alerts of an incident, oldest first.
  virtual Result<std::vector<AlertRecord>> AlertsOfIncident(int64_t incident_id) = 0;
  virtual Status AddIncidentEvent(const IncidentEvent& event) = 0;
  // An incident's timeline, in time order.
  virtual Result<std::vector<IncidentEvent>> IncidentEvents(int64_t incident_id) = 0;

  // Blocks an address until `block.until_ms`, or longer if it is blocked until later already
  // (the earlier reason and start are kept then). Forgets blocks that ended before `since_ms`.
  virtual Status PutAddressBlock(const AddressBlockRecord& block) = 0;
  // The blocks still in force at `now_ms`, by address.
  virtual Result<std::vector<AddressBlockRecord>> ListAddressBlocks(int64_t now_ms) = 0;
  // Lifts the block on `address`. NotFound if none is in force at `now_ms`.
  virtual Status LiftAddressBlock(const std::string& address, int64_t now_ms) = 0;

  // A new notice's id.
  virtual Result<int64_t> InsertMonitoringNotice(const MonitoringNotice& notice) = 0;
  // Ends the device's notices in force at `until_ms` (it was released); how many.
  virtual Result<int64_t> EndMonitoringNotices(const std::string& device_id, int64_t until_ms) = 0;
  // The patient's notices, newest first.
  virtual Result<std::vector<MonitoringNotice>> MonitoringNotices(
      const std::string& patient_id) = 0;

  // Detection's learned state kept across restarts (baselines, a device's normal per vital
  // sign, where users sign in from), by name: replaced whole at each save.
  virtual Status PutDetectionState(const std::string& name, const std::string& state,
                                   int64_t saved_ms) = 0;
  // The state saved under `name`, if any.
  virtual Result<std::optional<std::string>> DetectionState(const std::string& name) = 0;
};

}  // namespace vigil::store
