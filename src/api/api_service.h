// The people-facing HTTPS API: /auth (login, MFA, logout, password), /admin (care
// teams, session revocation), /security (break-glass reviews), the FHIR R4 read API under
// /fhir, and the ledger's public checkpoint and proofs under /ledger (no login). Every
// request is authenticated by a session token (except login and /fhir/metadata), decided by
// access/policy and the decision recorded in the audit ledger before any data is read or returned.
//
// Handle() blocks (store reads, Argon2id, durable ledger appends): the server runs it on a
// worker pool, never on an I/O thread. Thread-safe.
#pragma once

#include <string>

#include "access/auth_service.h"
#include "access/authorizer.h"
#include "access/policy.h"
#include "api/api_request.h"
#include "api/http_reply.h"
#include "core/clock.h"
#include "events/audit_trail.h"
#include "events/security_event.h"
#include "ledger/ledger.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::api {

struct ApiDependencies {
  store::Store& store;
  store::KeyRing& keys;
  access::AuthService& auth;
  events::AuditTrail& audit;  // the decision recorded, durably, before data is read
  ledger::Ledger& ledger;
  const Clock& clock;
  std::string hub_name;
  events::SecurityEventSink* events = nullptr;  // every decision, for detection
};

class ApiService {
 public:
  explicit ApiService(ApiDependencies deps)
      : deps_(std::move(deps)),
        authorizer_(deps_.store.access(), deps_.audit, deps_.clock, deps_.events) {}

  // Whether this service answers `path` (the server routes the rest elsewhere).
  static bool Serves(std::string_view path);

  HttpReply Handle(const ApiRequest& request);

 private:
  using Session = access::AuthenticatedSession;

  // auth_routes.cc
  HttpReply HandleAuth(const ApiRequest& request);
  HttpReply HandleAdmin(const ApiRequest& request, const Session& session);
  // alert_routes.cc
  HttpReply HandleAlerts(const ApiRequest& request, const Session& session);
  // incident_routes.cc
  HttpReply HandleIncidents(const ApiRequest& request, const Session& session);
  // ledger_routes.cc
  HttpReply HandleLedger(const ApiRequest& request);
  // fhir_routes.cc
  HttpReply HandleFhir(const ApiRequest& request, const Session& session);
  HttpReply ReadPatient(const ApiRequest& request, const Session& session, const std::string& id);
  HttpReply SearchObservations(const ApiRequest& request, const Session& session);
  HttpReply ReadObservation(const ApiRequest& request, const Session& session,
                            const std::string& id);
  HttpReply ReadDevice(const ApiRequest& request, const Session& session, const std::string& id);
  HttpReply SearchDevices(const ApiRequest& request, const Session& session);
  HttpReply SearchAuditEvents(const ApiRequest& request, const Session& session);
  HttpReply ReadConsent(const ApiRequest& request, const Session& session,
                        const std::string& patient_id);
  HttpReply WriteConsent(const ApiRequest& request, const Session& session,
                         const std::string& patient_id);

  // The session's request to do `action` on `patient_id` (the resource named by `resource`),
  // authorized by access::Authorizer: decided, recorded, and returned. An error only if the
  // decision could not be recorded.
  Result<access::Decision> Authorize(const ApiRequest& request, const Session& session,
                                     access::Action action, const std::string& patient_id,
                                     const std::string& resource);
  // Authorize for actions without break-glass: PermissionDenied unless allowed.
  Status Require(const ApiRequest& request, const Session& session, access::Action action,
                 const std::string& patient_id, const std::string& resource);

  ApiDependencies deps_;
  access::Authorizer authorizer_;
};

// The FHIR reply for a failed Status (401/403/404/400/429/500 OperationOutcome).
HttpReply FhirError(const Status& status);
// The problem+json reply for a failed Status, for the non-FHIR routes.
HttpReply ProblemFor(const Status& status);

}  // namespace vigil::api
