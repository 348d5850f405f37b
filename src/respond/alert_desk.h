// What the hub does with each alert the detection engine raises: a new one is stored, filed
// under an incident, forwarded to the SIEM, acted on by its playbook and recorded in the audit
// trail, each response on the incident's timeline and in the trail; a repeat updates the stored
// alert. Thread-safe as the store and trail are (the engine calls it from its own thread).
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "events/alert.h"
#include "events/audit_trail.h"
#include "respond/responder.h"
#include "respond/siem_forwarder.h"
#include "store/alert_store.h"

namespace vigil::respond {

class AlertDesk {
 public:
  // `siem` may be null (no SIEM).
  AlertDesk(store::AlertStore& alerts, events::AuditTrail& audit, SiemForwarder* siem,
            const Clock& clock, Containment& containment, Playbooks playbooks);

  // Takes in `alert` (a new one, or a repeat of the stored alert `alert.id`); the stored id, or
  // 0 if a new alert could not be stored (logged: the engine goes on).
  int64_t Take(const events::Alert& alert, bool is_new);

 private:
  void RecordResponse(const Response& response);

  store::AlertStore& alerts_;
  events::AuditTrail& audit_;
  SiemForwarder* siem_;
  Responder responder_;
};

}  // namespace vigil::respond
