// What the hub does with each alert the detection engine raises: a new one is stored, filed
// under an incident, forwarded to the SIEM, acted on by its playbook and recorded in the audit
// trail, each response on the incident's timeline and in the trail; a repeat updates the stored
// alert and runs its playbook again (at most once a minute), so that containment a person lifted
// is taken again if the attack goes on. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

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
  static constexpr int64_t kRepeatResponseMs = 60'000;
  void RecordResponse(const Response& response);
  // Whether the alert's playbook may act now (and notes that it does): the first time, and a
  // minute after the last.
  bool DueForResponse(int64_t alert_id);

  store::AlertStore& alerts_;
  events::AuditTrail& audit_;
  SiemForwarder* siem_;
  const Clock& clock_;
  Responder responder_;
  std::mutex mu_;
  std::unordered_map<int64_t, int64_t> responded_ms_;  // alert id -> last response, under mu_
};

}  // namespace vigil::respond
