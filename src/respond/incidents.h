// Incidents: related alerts grouped into one case with a timeline. An alert joins the open
// incident, active within the grouping window, that names its subject (a user, a device, or an
// address one of its alerts came from) or whose alerts include one about an address this alert's
// evidence names (the attacker's address); otherwise it opens a new incident. Devices or users
// that only share an address (a NAT, a gateway) are not grouped. The incident's severity is the
// worst of its alerts', and its title names that alert. Every step is a line of its timeline.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "events/alert.h"
#include "events/audit_trail.h"
#include "store/alert_store.h"

namespace vigil::respond {

constexpr int64_t kIncidentWindowMs = 3'600'000;  // an incident quiet for an hour takes no more

// The entities an alert is about: its subject, and any address its evidence names.
std::vector<std::string> RelatedEntities(const events::Alert& alert);

// Files alert `alert_id` (already stored) under an incident, opening one if none fits, and
// adds it to the timeline. The incident's id.
Result<int64_t> FileAlert(store::AlertStore& alerts, const events::Alert& alert, int64_t alert_id,
                          int64_t window_ms = kIncidentWindowMs);

// Adds a line to the timeline of the incident alert `alert_id` belongs to (nothing if none).
Status NoteOnIncidentOf(store::AlertStore& alerts, int64_t alert_id, int64_t time_ms,
                        const std::string& what, const std::string& detail);

// Closes incident `id` on behalf of `by`, on the timeline and through `audit` (durable before it
// returns). NotFound for an unknown incident; FailedPrecondition if it is closed already.
Status CloseIncident(store::AlertStore& alerts, events::AuditTrail& audit, int64_t now_ms,
                     int64_t id, const std::string& by, const std::string& note);

}  // namespace vigil::respond
