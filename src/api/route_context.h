// What every route handler of the API is given: the hub's parts it works with, and
// authorization of a session's request through access::Authorizer (decided and recorded before
// anything is read). Thread-safe.
#pragma once

#include <string>

#include "access/auth_service.h"
#include "access/authorizer.h"
#include "access/policy.h"
#include "api/api_request.h"
#include "core/clock.h"
#include "events/audit_trail.h"
#include "events/security_event.h"
#include "ledger/ledger.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::api {

using Session = access::AuthenticatedSession;

struct ApiDependencies {
  store::Store& store;
  store::KeyRing& keys;
  access::AuthService& auth;
  events::AuditTrail& audit;  // the decision recorded, durably, before data is read
  ledger::Ledger& ledger;
  const Clock& clock;
  std::string hub_name;
  events::SecurityEventSink* events = nullptr;  // every decision, for detection
  std::string bulk_dir = {};  // where Bulk Data export files go (sealed); empty: no $export
};

class RouteContext {
 public:
  explicit RouteContext(ApiDependencies deps)
      : deps(std::move(deps)),
        authorizer_(this->deps.store.access(), this->deps.store.privacy(), this->deps.audit,
                    this->deps.clock, this->deps.events) {}

  // The session's request to do `action` on `patient_id` (the resource named by `resource`):
  // decided, recorded, and returned. An error if the decision could not be recorded, and Gone
  // (after recording it) when the request concerns a patient who was erased.
  Result<access::Decision> Authorize(const ApiRequest& request, const Session& session,
                                     access::Action action, const std::string& patient_id,
                                     const std::string& resource);
  // Authorize for actions without break-glass: PermissionDenied unless allowed.
  Status Require(const ApiRequest& request, const Session& session, access::Action action,
                 const std::string& patient_id, const std::string& resource);
  // Tells detection how many rows of `patient_id`'s data the session was just sent (its
  // volume, which paging does not inflate; detect/rules.h "bulk-reads").
  void ReportSent(const ApiRequest& request, const Session& session, const std::string& patient_id,
                  size_t rows);

  ApiDependencies deps;

 private:
  access::Authorizer authorizer_;
};

}  // namespace vigil::api
