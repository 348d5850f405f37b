#include "respond/alert_desk.h"

#include <spdlog/spdlog.h>

#include "events/audit_records.h"
#include "respond/alert_record.h"
#include "respond/incidents.h"
#include "respond/siem_record.h"

namespace vigil::respond {

AlertDesk::AlertDesk(store::AlertStore& alerts, events::AuditTrail& audit, SiemForwarder* siem,
                     const Clock& clock, Containment& containment, Playbooks playbooks)
    : alerts_(alerts),
      audit_(audit),
      siem_(siem),
      clock_(clock),
      responder_(clock, containment, std::move(playbooks),
                 [this](const Response& r) { RecordResponse(r); }) {}

int64_t AlertDesk::Take(const events::Alert& alert, bool is_new) {
  const store::AlertRecord record = ToRecord(alert);
  if (!is_new) {
    if (Status s = alerts_.UpdateAlert(record); !s.ok()) {
      spdlog::error("alert {} not updated: {}", alert.id, s.ToString());
    }
    // A repeat acts again (a person may have lifted the hold while the attack goes on), at most
    // once a minute an alert; each response is on the incident's timeline.
    if (DueForResponse(alert.id)) responder_.Respond(alert, alert.id);
    return alert.id;
  }
  auto id = alerts_.InsertAlert(record);
  if (!id.ok()) {
    spdlog::error("alert {} on {} not stored: {}", events::AlertKindName(alert.kind),
                  alert.entity.ToString(), id.status().ToString());
    return 0;
  }
  auto incident = FileAlert(alerts_, alert, *id);
  if (!incident.ok()) {
    spdlog::error("alert {} not filed under an incident: {}", *id, incident.status().ToString());
  }
  spdlog::warn("ALERT {} [{}] {} {}: {} (incident {})", *id, events::SeverityName(alert.severity),
               events::AlertKindName(alert.kind), alert.entity.ToString(), alert.summary,
               incident.ok() ? *incident : 0);
  if (siem_) siem_->Forward(SiemRecordOf(alert, *id));
  DueForResponse(*id);
  responder_.Respond(alert, *id);
  audit_.AppendLater(events::Record(
      alert.first_ms,
      events::audit::AlertRaised{.alert = *id,
                                 .kind = std::string(events::AlertKindName(alert.kind)),
                                 .severity = std::string(events::SeverityName(alert.severity)),
                                 .entity = alert.entity.ToString(),
                                 .technique = alert.technique}));
  return *id;
}

bool AlertDesk::DueForResponse(int64_t alert_id) {
  const int64_t now = clock_.NowMillis();
  std::lock_guard lock(mu_);
  if (responded_ms_.size() > 100'000) responded_ms_.clear();  // a bound, not a window
  auto [it, first] = responded_ms_.try_emplace(alert_id, now);
  if (first) return true;
  if (now - it->second < kRepeatResponseMs) return false;
  it->second = now;
  return true;
}

void AlertDesk::RecordResponse(const Response& r) {
  const std::string action(events::ResponseActionName(r.action));
  const Status noted =
      NoteOnIncidentOf(alerts_, r.alert_id, r.time_ms, "response", action + " " + r.target);
  if (!noted.ok()) spdlog::error("response not on the timeline: {}", noted.ToString());
  audit_.AppendLater(events::Record(
      r.time_ms,
      events::audit::ResponseTaken{.alert = r.alert_id, .action = action, .target = r.target}));
}

}  // namespace vigil::respond
