// GET /fhir/Observation: the search (api/fhir_search.h) answered page by page from the store,
// rows opened and written straight into the Bundle, with what the client asked for beside
// them (a total, chosen elements, the Devices and Patient they reference).
#include <algorithm>
#include <set>

#include "api/api_errors.h"
#include "api/fhir_resources.h"
#include "api/fhir_routes.h"
#include "api/fhir_search.h"
#include "api/matching_observations.h"
#include "model/observation.h"

namespace vigil::api {

HttpReply FhirRoutes::SearchObservations(const ApiRequest& request, const Session& session) {
  auto parsed = ParseObservationSearch(request);
  if (!parsed.ok()) return FhirError(parsed.status());
  const ObservationSearch& search = *parsed;
  const store::ObservationQuery& query = search.query;
  const std::string& patient = query.patient_id;
  if (auto refused =
          FhirRefusal(context_.Authorize(request, session, access::Action::kReadObservations,
                                         patient, "Observation?patient=" + patient)))
    return *refused;
  const bool filtered = search.updated_from_ms || search.updated_to_ms;
  std::optional<uint64_t> total;
  if (search.count_only || search.want_total) {
    uint64_t counted = 0;
    if (search.matches_nothing) {
      total = 0;
    } else if (!filtered) {
      auto count = deps_.store.CountObservations(query);
      if (!count.ok()) return FhirError(count.status());
      total = *count;
    } else {
      ObservationSearch all = search;
      all.query.offset = 0;
      all.query.after.reset();
      const Status read = VisitMatching(deps_.store, deps_.keys, all, kFilteredRound,
                                        [&](const model::Observation&) { return ++counted > 0; });
      if (!read.ok()) return FhirError(read);
      total = counted;
    }
  }
  // Pages follow each other by keyset (the next link names this page's last row), so a client
  // paging while readings arrive sees each row that existed when it began exactly once; an
  // explicit _offset is honoured, but next links never use it. Links carry the parameters used.
  BundleLinks links{SearchUrl(request, search.used), "", ""};
  const uint64_t limit = search.count_only ? 0 : query.limit;
  if (query.offset > 0 && !query.after) {
    links.previous = SearchUrl(request, search.used, "_offset",
                               std::to_string(query.offset > limit ? query.offset - limit : 0));
  }
  BundleWriter bundle(links, total, limit * 1100);
  const std::string url_prefix = request.base_url + "/fhir/Observation/";
  std::string full_url = url_prefix, subset;
  int64_t last_effective_ms = 0;  // of the page's last row; its id ends full_url
  uint64_t rows = 0;
  std::set<std::string> devices;
  if (limit > 0 && !search.matches_nothing) {
    const Status read = VisitMatching(
        deps_.store, deps_.keys, search, limit + 1, [&](const model::Observation& observation) {
          if (++rows > limit) return false;  // one more tells whether there is a next page
          full_url.resize(url_prefix.size());
          full_url += observation.id;
          last_effective_ms = observation.effective_ms;
          if (search.include_device) devices.insert(observation.device_id);
          if (search.elements.empty()) {
            bundle.Add(full_url,
                       [&](std::string& out) { model::AppendFhirJson(out, observation); });
          } else {
            subset.clear();
            model::AppendFhirJson(subset, observation);
            bundle.AddJson(full_url, SubsetResource(subset, search.elements));
          }
          return true;
        });
    if (!read.ok()) return FhirError(read);
  }
  const uint64_t sent = std::min(rows, limit);
  if (sent > 0 && (search.include_device || search.include_patient)) {
    if (Status s = AddIncluded(request, session, patient, devices, search.include_patient, bundle);
        !s.ok()) {
      return FhirError(s);
    }
  }
  if (!search.ignored.empty()) bundle.AddJson("", WarningOutcome(search.ignored), "outcome");
  if (rows > limit && limit > 0) {  // never a page to itself
    bundle.AddNextLink(SearchUrl(
        request, search.used, "_cursor",
        CursorOf(last_effective_ms, std::string_view(full_url).substr(url_prefix.size()))));
  }
  context_.ReportSent(request, session, patient, sent);
  return FhirOk(std::move(bundle).Finish());
}

// The Devices and the Patient a page of Observations references (_include), each read as its
// own read would be: authorized and recorded first; what the caller may not read is left out.
Status FhirRoutes::AddIncluded(const ApiRequest& request, const Session& session,
                               const std::string& patient, const std::set<std::string>& devices,
                               bool include_patient, BundleWriter& bundle) {
  if (!devices.empty()) {
    VIGIL_ASSIGN_OR_RETURN(access::Decision decision,
                           context_.Authorize(request, session, access::Action::kReadDevices,
                                              patient, "Device?patient=" + patient));
    for (const auto& id : devices) {
      if (!decision.allowed()) break;
      VIGIL_ASSIGN_OR_RETURN(auto device, deps_.store.FindDevice(id));
      if (!device) continue;
      bundle.AddJson(request.base_url + "/fhir/Device/" + id, DeviceResource(*device), "include");
    }
  }
  if (include_patient) {
    VIGIL_ASSIGN_OR_RETURN(access::Decision decision,
                           context_.Authorize(request, session, access::Action::kReadPatient,
                                              patient, "Patient/" + patient));
    if (!decision.allowed()) return Status::Ok();
    VIGIL_ASSIGN_OR_RETURN(auto resource, PatientJson(patient));
    bundle.AddJson(request.base_url + "/fhir/Patient/" + patient, resource, "include");
  }
  return Status::Ok();
}

}  // namespace vigil::api
