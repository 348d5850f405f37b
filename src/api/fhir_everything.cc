// GET /fhir/Patient/{id}/$everything (FHIR R4 Patient-everything): the patient's record, their
// Devices and their Observations in one searchset, paged. `_since` (an instant) keeps only what
// changed since (meta.lastUpdated: a Patient's and a Device's when added, an Observation's when
// received), `_type` the resource types named, `_count` the Observations a page; the first page
// holds the Patient and Devices, every page Observations oldest first, and the next link names
// the page's last row (keyset paging: it ends, and a row arriving meanwhile is not sent twice).
// Each part is authorized and recorded as its own read is; a part the patient's consent keeps
// from the caller is left out and said in an OperationOutcome entry.
#include <algorithm>

#include "api/api_errors.h"
#include "api/fhir_resources.h"
#include "api/fhir_routes.h"
#include "api/fhir_search.h"
#include "api/matching_observations.h"
#include "core/time_format.h"

namespace vigil::api {

HttpReply FhirRoutes::PatientEverything(const ApiRequest& request, const Session& session,
                                        const std::string& patient_id) {
  auto parsed = ParseEverythingSearch(request);
  if (!parsed.ok()) return FhirError(parsed.status());
  const EverythingSearch& e = *parsed;
  // The record itself decides whether the caller may have any of it.
  if (auto refused =
          FhirRefusal(context_.Authorize(request, session, access::Action::kReadPatient, patient_id,
                                         "Patient/" + patient_id + "/$everything")))
    return *refused;
  auto patient = deps_.store.FindPatient(patient_id);
  if (!patient.ok()) return FhirError(patient.status());
  if (!*patient) return FhirError(Status::NotFound("no patient " + patient_id));
  const bool first_page = !e.after;
  const std::string base = request.base_url + "/fhir/";
  BundleWriter bundle({SearchUrl(request, e.used), "", ""}, std::nullopt, e.count * 1100);
  std::vector<std::string> withheld = e.warnings;
  const auto allowed = [&](access::Action action, const std::string& resource) -> Result<bool> {
    VIGIL_ASSIGN_OR_RETURN(access::Decision d,
                           context_.Authorize(request, session, action, patient_id, resource));
    return d.allowed();
  };
  const auto since = [&](int64_t updated_ms) { return !e.since_ms || updated_ms >= *e.since_ms; };
  if (first_page && e.types.count("Patient") && since((*patient)->created_ms)) {
    auto resource = PatientJson(patient_id);
    if (!resource.ok()) return FhirError(resource.status());
    bundle.AddJson(base + "Patient/" + patient_id, *resource);
  }
  if (first_page && e.types.count("Device")) {
    auto may = allowed(access::Action::kReadDevices, "Device?patient=" + patient_id);
    if (!may.ok()) return FhirError(may.status());
    if (!*may) withheld.push_back("Devices were left out: the patient's consent keeps them");
    if (*may) {
      auto devices = deps_.store.ListDevices();
      if (!devices.ok()) return FhirError(devices.status());
      for (const auto& d : *devices) {
        if (d.patient_id == patient_id && since(d.enrolled_ms)) {
          bundle.AddJson(base + "Device/" + d.id, DeviceResource(d));
        }
      }
    }
  }
  uint64_t rows = 0;
  if (e.types.count("Observation")) {
    auto may = allowed(access::Action::kReadObservations, "Observation?patient=" + patient_id);
    if (!may.ok()) return FhirError(may.status());
    if (!*may) withheld.push_back("Observations were left out: the patient's consent keeps them");
    ObservationSearch search;
    search.query.patient_id = patient_id;
    search.query.after = e.after;
    search.updated_from_ms = e.since_ms;
    const std::string url_prefix = base + "Observation/";
    std::string full_url = url_prefix;
    int64_t last_effective_ms = 0;
    const Status read = !*may ? Status::Ok()
                              : VisitMatching(deps_.store, deps_.keys, search, e.count + 1,
                                              [&](const model::Observation& observation) {
                                                if (++rows > e.count)
                                                  return false;  // one more: a next page
                                                full_url.resize(url_prefix.size());
                                                full_url += observation.id;
                                                last_effective_ms = observation.effective_ms;
                                                bundle.Add(full_url, [&](std::string& out) {
                                                  model::AppendFhirJson(out, observation);
                                                });
                                                return true;
                                              });
    if (!read.ok()) return FhirError(read);
    if (rows > e.count) {
      bundle.AddNextLink(SearchUrl(
          request, e.used, "_cursor",
          CursorOf(last_effective_ms, std::string_view(full_url).substr(url_prefix.size()))));
    }
  }
  if (!withheld.empty() && first_page) bundle.AddJson("", WarningOutcome(withheld), "outcome");
  context_.ReportSent(request, session, patient_id, std::min(rows, e.count) + (first_page ? 1 : 0));
  return FhirOk(std::move(bundle).Finish());
}

}  // namespace vigil::api
