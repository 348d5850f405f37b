#include "respond/alert_record.h"

#include <nlohmann/json.hpp>

#include "core/json_string.h"
#include "events/audit_records.h"
#include "respond/incidents.h"

namespace vigil::respond {

store::AlertRecord ToRecord(const events::Alert& a) {
  nlohmann::json evidence = nlohmann::json::object();
  for (const auto& [k, v] : a.evidence) evidence[k] = v;
  store::AlertRecord r;
  r.id = a.id;
  r.kind = std::string(events::AlertKindName(a.kind));
  r.severity = std::string(events::SeverityName(a.severity));
  r.entity = a.entity.ToString();
  r.technique = a.technique;
  r.summary = a.summary;
  r.evidence_json = DumpJson(evidence);
  r.first_ms = a.first_ms;
  r.last_ms = a.last_ms;
  r.count = a.count;
  r.status = std::string(events::AlertStatusName(a.status));
  return r;
}

Status ChangeAlertStatus(store::AlertStore& alerts, events::AuditTrail& audit, int64_t now_ms,
                         int64_t id, const std::string& status, const std::string& by,
                         const std::string& note) {
  VIGIL_RETURN_IF_ERROR(alerts.SetAlertStatus(id, status, by + ": " + note));
  VIGIL_RETURN_IF_ERROR(NoteOnIncidentOf(alerts, id, now_ms, "alert-status",
                                         "alert " + std::to_string(id) + " " + status + " by " +
                                             by + (note.empty() ? "" : ": " + note)));
  return audit.Append(events::Record(
      now_ms,
      events::audit::AlertStatusChanged{.alert = id, .status = status, .by = by, .note = note}));
}

}  // namespace vigil::respond
