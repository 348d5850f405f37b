// Authorization of a request for a patient's data, whole: the facts the policy needs (care team,
// the patient's consent directive) gathered from the access store, the decision made by
// access/policy (and whether the patient's processing is restricted), recorded durably in the audit
// trail before anything is read, reported to detection, and a review item opened for break-glass.
// Every API route that reads or writes health data goes through it. Thread-safe.
#pragma once

#include <string>

#include "access/policy.h"
#include "core/clock.h"
#include "core/status.h"
#include "events/audit_trail.h"
#include "events/security_event.h"
#include "store/access_store.h"
#include "store/privacy_store.h"

namespace vigil::access {

struct AccessRequest {
  Principal who;
  Action action = Action::kReadObservations;
  std::string patient_id;          // empty for actions that concern no patient
  std::string resource;            // what is asked for, for the record ("Observation?patient=..")
  std::string break_glass_reason;  // stated by a clinician; empty: none
  std::string address;             // the caller's network address
};

class Authorizer {
 public:
  // `events` may be null (no detection).
  Authorizer(store::AccessStore& store, store::PrivacyStore& privacy, events::AuditTrail& audit,
             const Clock& clock, events::SecurityEventSink* events)
      : store_(store), privacy_(privacy), audit_(audit), clock_(clock), events_(events) {}

  // The decision on `request`, already recorded. An error only if the facts could not be read
  // or the decision could not be recorded: then nothing may be read.
  Result<Decision> Authorize(const AccessRequest& request);

 private:
  store::AccessStore& store_;
  store::PrivacyStore& privacy_;
  events::AuditTrail& audit_;
  const Clock& clock_;
  events::SecurityEventSink* events_;
};

}  // namespace vigil::access
