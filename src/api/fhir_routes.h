// /fhir/*: the FHIR R4 API over sealed records (Patient, Observation, Device, AuditEvent,
// Consent, Flag), each request authorized and recorded before anything is read. The Observation
// search is in fhir_observation_search.cc, Patient/$everything in fhir_everything.cc.
#pragma once

#include <set>
#include <string>

#include "api/api_request.h"
#include "api/fhir_resources.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

class FhirRoutes {
 public:
  explicit FhirRoutes(RouteContext& context) : context_(context), deps_(context.deps) {}

  // GET /fhir/metadata: the CapabilityStatement (no session).
  HttpReply Metadata(const ApiRequest& request);
  // A session's request under /fhir.
  HttpReply Handle(const ApiRequest& request, const Session& session);

 private:
  HttpReply ReadPatient(const ApiRequest& request, const Session& session, const std::string& id);
  HttpReply SearchPatients(const ApiRequest& request, const Session& session);
  // GET /fhir/Patient/{id}/$everything (fhir_everything.cc).
  HttpReply PatientEverything(const ApiRequest& request, const Session& session,
                              const std::string& patient_id);
  HttpReply SearchObservations(const ApiRequest& request, const Session& session);
  Status AddIncluded(const ApiRequest& request, const Session& session, const std::string& patient,
                     const std::set<std::string>& devices, bool include_patient,
                     BundleWriter& bundle);
  // The Patient resource of `id`, opened (NotFound if there is none). No authorization: the
  // caller's.
  Result<std::string> PatientJson(const std::string& id);
  HttpReply ReadObservation(const ApiRequest& request, const Session& session,
                            const std::string& id);
  HttpReply ReadDevice(const ApiRequest& request, const Session& session, const std::string& id);
  HttpReply SearchDevices(const ApiRequest& request, const Session& session);
  HttpReply SearchFlags(const ApiRequest& request, const Session& session);
  HttpReply SearchAuditEvents(const ApiRequest& request, const Session& session);
  HttpReply ReadConsent(const ApiRequest& request, const Session& session,
                        const std::string& patient_id);
  HttpReply WriteConsent(const ApiRequest& request, const Session& session,
                         const std::string& patient_id);

  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
