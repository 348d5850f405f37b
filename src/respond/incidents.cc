#include "respond/incidents.h"

#include <algorithm>

#include "events/audit_records.h"

namespace vigil::respond {
namespace {

int SeverityRank(std::string_view name) {
  const auto severity = events::ParseSeverity(name);
  return severity ? static_cast<int>(*severity) : 0;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Whether `alert` belongs to `incident`: its own entity is one of the incident's (a user, a
// device, or an address an alert of it came from); or an address its evidence names was itself
// the subject of one of the incident's alerts (the attacker's address). Devices or users that
// merely share an address (a NAT, a gateway, loopback) stay separate incidents.
Result<bool> Joins(store::AlertStore& alerts, const store::IncidentRecord& incident,
                   const events::Alert& alert, const std::vector<std::string>& related) {
  if (Contains(incident.entities, alert.entity.ToString())) return true;
  bool shares_address = false;
  for (size_t i = 1; i < related.size(); ++i) {
    shares_address |= Contains(incident.entities, related[i]);
  }
  if (!shares_address) return false;
  VIGIL_ASSIGN_OR_RETURN(auto members, alerts.AlertsOfIncident(incident.id));
  for (const auto& member : members) {
    if (member.entity.rfind("address:", 0) == 0 && Contains(related, member.entity)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> RelatedEntities(const events::Alert& alert) {
  std::vector<std::string> related{alert.entity.ToString()};
  for (const char* key : {"address", "latest_address"}) {
    auto it = alert.evidence.find(key);
    if (it == alert.evidence.end() || it->second.empty()) continue;
    const std::string entity = events::Entity::Address(it->second).ToString();
    if (std::find(related.begin(), related.end(), entity) == related.end()) {
      related.push_back(entity);
    }
  }
  return related;
}

Result<int64_t> FileAlert(store::AlertStore& alerts, const events::Alert& alert, int64_t alert_id,
                          int64_t window_ms) {
  const std::vector<std::string> related = RelatedEntities(alert);
  VIGIL_ASSIGN_OR_RETURN(std::vector<store::IncidentRecord> open,
                         alerts.ListIncidents("open", 200));
  std::optional<store::IncidentRecord> incident;
  for (auto& candidate : open) {  // newest first
    if (alert.first_ms - candidate.last_ms > window_ms) continue;
    VIGIL_ASSIGN_OR_RETURN(bool joins, Joins(alerts, candidate, alert, related));
    if (joins) {
      incident = std::move(candidate);
      break;
    }
  }
  const std::string severity(events::SeverityName(alert.severity));
  const std::string kind(events::AlertKindName(alert.kind));
  if (incident) {
    if (SeverityRank(severity) > SeverityRank(incident->severity)) {
      // Named after its most severe alert: what the officer must act on first.
      incident->severity = severity;
      incident->title = kind + " on " + alert.entity.ToString();
    }
    incident->last_ms = std::max(incident->last_ms, alert.first_ms);
    for (const auto& e : related) {
      if (std::find(incident->entities.begin(), incident->entities.end(), e) ==
          incident->entities.end()) {
        incident->entities.push_back(e);
      }
    }
    VIGIL_RETURN_IF_ERROR(alerts.UpdateIncident(*incident));
  } else {
    incident = store::IncidentRecord{0,
                                     kind + " on " + alert.entity.ToString(),
                                     severity,
                                     "open",
                                     alert.first_ms,
                                     alert.first_ms,
                                     related,
                                     ""};
    VIGIL_ASSIGN_OR_RETURN(incident->id, alerts.InsertIncident(*incident));
  }
  VIGIL_RETURN_IF_ERROR(alerts.SetAlertIncident(alert_id, incident->id));
  VIGIL_RETURN_IF_ERROR(alerts.AddIncidentEvent(
      {incident->id, alert.first_ms, "alert",
       "alert " + std::to_string(alert_id) + " [" + severity + "] " + kind + ": " + alert.summary,
       alert_id}));
  return incident->id;
}

Status NoteOnIncidentOf(store::AlertStore& alerts, int64_t alert_id, int64_t time_ms,
                        const std::string& what, const std::string& detail) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::AlertRecord> alert, alerts.FindAlert(alert_id));
  if (!alert || alert->incident_id == 0) return Status::Ok();
  return alerts.AddIncidentEvent({alert->incident_id, time_ms, what, detail, alert_id});
}

Status CloseIncident(store::AlertStore& alerts, events::AuditTrail& audit, int64_t now_ms,
                     int64_t id, const std::string& by, const std::string& note) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::IncidentRecord> incident, alerts.FindIncident(id));
  if (!incident) return Status::NotFound("no incident " + std::to_string(id));
  if (incident->status == "closed") {
    return Status::FailedPrecondition("incident " + std::to_string(id) + " is closed already");
  }
  incident->status = "closed";
  incident->note = by + ": " + note;
  VIGIL_RETURN_IF_ERROR(alerts.UpdateIncident(*incident));
  VIGIL_RETURN_IF_ERROR(alerts.AddIncidentEvent(
      {id, now_ms, "incident-status", "closed by " + by + (note.empty() ? "" : ": " + note), 0}));
  return audit.Append(events::Record(
      now_ms, events::audit::IncidentClosed{.incident = id, .by = by, .note = note}));
}

}  // namespace vigil::respond
