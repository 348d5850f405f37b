#include "api/fhir_routes.h"

#include <algorithm>
#include <charconv>

#include "access/user_changes.h"
#include "api/api_errors.h"
#include "api/fhir_resources.h"
#include "api/fhir_search.h"
#include "core/time_format.h"
#include "events/audit_records.h"
#include "model/observation.h"
#include "store/sealed_record.h"

namespace vigil::api {
namespace {

constexpr size_t kMaxBreakGlassReason = 256;

// Whether the client asks for XML only (`_format=xml`, or an Accept header naming XML types
// and neither JSON nor a wildcard): the hub speaks FHIR JSON alone, so that is 406.
bool WantsOnlyXml(const ApiRequest& request) {
  if (const auto format = request.Param("_format")) {
    return format->find("xml") != std::string::npos;
  }
  const std::string& accept = request.accept;
  return accept.find("xml") != std::string::npos && accept.find("json") == std::string::npos &&
         accept.find("*/*") == std::string::npos &&
         accept.find("application/*") == std::string::npos;
}

std::string PageUrl(const ApiRequest& request, uint64_t offset) {
  return SearchUrl(request, request.query, "_offset", std::to_string(offset));
}

}  // namespace

HttpReply FhirRoutes::Metadata(const ApiRequest& request) {
  if (request.method != "GET") return OperationOutcome(405, "not-supported", "use GET");
  return HttpReply(200, std::string(kFhirJson), CapabilityStatement(deps_.hub_name));
}

HttpReply FhirRoutes::Handle(const ApiRequest& request, const Session& session) {
  if (request.break_glass_reason.size() > kMaxBreakGlassReason) {
    return FhirError(Status::InvalidArgument("the break-glass reason is too long"));
  }
  for (unsigned char c : request.break_glass_reason) {
    if (c < 0x20 || c == 0x7f) {
      return FhirError(Status::InvalidArgument("the break-glass reason has control characters"));
    }
  }
  const std::string& path = request.path;
  auto id_after = [&](std::string_view prefix) -> std::optional<std::string> {
    if (path.size() <= prefix.size() || path.rfind(prefix, 0) != 0) return std::nullopt;
    std::string id = path.substr(prefix.size());
    if (id.find('/') != std::string::npos) return std::nullopt;
    return id;
  };
  if (request.method == "PUT") {
    if (auto id = id_after("/fhir/Consent/")) return WriteConsent(request, session, *id);
    return OperationOutcome(405, "not-supported", "only Consent can be updated");
  }
  if (request.method != "GET") return OperationOutcome(405, "not-supported", "use GET");
  if (WantsOnlyXml(request)) {
    return OperationOutcome(406, "not-supported",
                            "this server answers in FHIR JSON only (application/fhir+json)");
  }
  if (path == "/fhir/Patient") return SearchPatients(request, session);
  constexpr std::string_view kPatientPrefix = "/fhir/Patient/", kEverything = "/$everything";
  if (path.starts_with(kPatientPrefix) && path.ends_with(kEverything) &&
      path.size() > kPatientPrefix.size() + kEverything.size()) {
    const std::string id = path.substr(kPatientPrefix.size(),
                                       path.size() - kPatientPrefix.size() - kEverything.size());
    if (!id.empty() && id.find('/') == std::string::npos) {
      return PatientEverything(request, session, id);
    }
  }
  if (auto id = id_after("/fhir/Patient/")) return ReadPatient(request, session, *id);
  if (auto id = id_after("/fhir/Device/")) return ReadDevice(request, session, *id);
  if (path == "/fhir/Observation") return SearchObservations(request, session);
  if (auto id = id_after("/fhir/Observation/")) return ReadObservation(request, session, *id);
  if (path == "/fhir/Device") return SearchDevices(request, session);
  if (path == "/fhir/Flag") return SearchFlags(request, session);
  if (path == "/fhir/AuditEvent") return SearchAuditEvents(request, session);
  if (path == "/fhir/Consent") {
    const std::string patient = PatientIdOf(request.Param("patient").value_or(""));
    if (patient.empty()) return FhirError(Status::InvalidArgument("patient is required"));
    return ReadConsent(request, session, patient);
  }
  if (auto id = id_after("/fhir/Consent/")) return ReadConsent(request, session, *id);
  return OperationOutcome(404, "not-found", "no such resource type or interaction");
}

HttpReply FhirRoutes::ReadPatient(const ApiRequest& request, const Session& session,
                                  const std::string& id) {
  if (auto refused = FhirRefusal(
          context_.Authorize(request, session, access::Action::kReadPatient, id, "Patient/" + id)))
    return *refused;
  auto resource = PatientJson(id);
  if (!resource.ok()) return FhirError(resource.status());
  context_.ReportSent(request, session, id, 1);
  return FhirOk(*std::move(resource));
}

HttpReply FhirRoutes::SearchPatients(const ApiRequest& request, const Session& session) {
  // The patients the caller may see: a patient user their own record, a caregiver those of
  // their care teams whose consent lets them read it; nobody else anyone (no role reads
  // demographics without a care team). Paged by id (`_cursor`: the last id of the page before).
  std::vector<std::string> ids, ignored;
  std::vector<std::pair<std::string, std::string>> used;
  std::string after;
  uint64_t limit = kDefaultCount;
  bool count_only = false, want_total = false;
  for (const auto& [name, value] : request.query) {
    std::optional<std::string> unsupported;
    if (name == "_id") {
      for (auto& id : CommaList(value)) ids.push_back(std::move(id));
    } else if (name == "_cursor") {
      after = value;
      continue;
    } else if (name == "_count") {
      auto parsed = ParseCount(value, UINT32_MAX);
      if (!parsed.ok()) return FhirError(parsed.status());
      limit = std::min(*parsed, kMaxCount);
      count_only = limit == 0;
    } else if (name == "_summary" && value == "count") {
      count_only = true;
    } else if (name == "_summary" && (value == "false" || value == "data")) {
      // the whole resource: a Patient here has no narrative to leave out
    } else if (name == "_total") {
      want_total = value == "accurate";
    } else if (name != "_format" && name != "_pretty") {
      unsupported = name == "_summary" ? "_summary=" + value : "the parameter " + name;
    }
    if (!unsupported) {
      used.emplace_back(name, value);
    } else if (StrictHandling(request)) {
      return FhirError(Status::InvalidArgument("not supported: " + *unsupported));
    } else {
      ignored.push_back(*unsupported + " is not supported and was ignored");
    }
  }
  if (count_only) limit = 0;
  std::vector<std::string> candidates;
  if (session.who.role == access::Role::kPatient) {
    if (!session.who.patient_id.empty()) candidates.push_back(session.who.patient_id);
  } else if (session.who.role == access::Role::kClinician ||
             session.who.role == access::Role::kNurse) {
    auto mine = deps_.store.access().PatientsCaredForBy(session.who.username);
    if (!mine.ok()) return FhirError(mine.status());
    candidates = std::move(*mine);  // by id
  }
  // Each decision is recorded as a read's is (the patient's accounting of disclosures shows
  // it), so only the patients a page may show are decided — and every candidate when a count
  // is asked for, since the count discloses them too.
  const bool decide_all = count_only || want_total;
  std::vector<std::string> page;
  uint64_t total = 0;
  bool more = false;
  for (const auto& p : candidates) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), p) == ids.end()) continue;
    const bool on_page = after.empty() || p > after;
    if (!decide_all && !on_page) continue;
    if (!decide_all && page.size() == limit) {
      more = true;
      break;
    }
    auto decision =
        context_.Authorize(request, session, access::Action::kReadPatient, p, "Patient?");
    if (!decision.ok()) return FhirError(decision.status());
    if (!decision->allowed()) continue;
    ++total;
    if (!on_page) continue;
    if (page.size() < limit) {
      page.push_back(p);
    } else {
      more = true;
    }
  }
  BundleLinks links{SearchUrl(request, used), "", ""};
  if (more && !page.empty()) links.next = SearchUrl(request, used, "_cursor", page.back());
  BundleWriter bundle(links, decide_all ? std::optional<uint64_t>(total) : std::nullopt);
  for (const auto& p : page) {
    auto resource = PatientJson(p);
    if (!resource.ok()) return FhirError(resource.status());
    bundle.AddJson(request.base_url + "/fhir/Patient/" + p, *resource);
    context_.ReportSent(request, session, p, 1);
  }
  if (!ignored.empty()) bundle.AddJson("", WarningOutcome(ignored), "outcome");
  return FhirOk(std::move(bundle).Finish());
}

Result<std::string> FhirRoutes::PatientJson(const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(auto patient, deps_.store.FindPatient(id));
  if (!patient) return Status::NotFound("no Patient/" + id);
  VIGIL_ASSIGN_OR_RETURN(std::string key, deps_.keys.DataKey(id));
  VIGIL_ASSIGN_OR_RETURN(std::string demographics,
                         store::OpenDemographics(key, id, patient->sealed_demographics));
  return PatientResource(id, demographics);
}

HttpReply FhirRoutes::ReadObservation(const ApiRequest& request, const Session& session,
                                      const std::string& id) {
  // The id names its message's device, and the device the patient whose rules apply.
  std::string patient;
  if (const auto source = model::SourceOfObservationId(id)) {
    auto device = deps_.store.FindDevice(source->device_id);
    if (!device.ok()) return FhirError(device.status());
    if (*device) patient = (*device)->patient_id;
  }
  // Whatever a caller may not read is answered as if it did not exist, so a denial does not
  // tell anyone that an Observation exists; only a denied read of one that does is recorded as
  // such (and seen by detection) — a mistyped id is no attack.
  const HttpReply not_found = FhirError(Status::NotFound("no Observation/" + id));
  if (patient.empty()) return not_found;
  auto row = deps_.store.FindObservation(patient, id);
  if (!row.ok()) return FhirError(row.status());
  if (!*row) return not_found;
  auto decision = context_.Authorize(request, session, access::Action::kReadObservations, patient,
                                     "Observation/" + id);
  if (decision.ok() && !decision->allowed()) return not_found;
  if (auto refused = FhirRefusal(decision)) return *refused;
  auto key = deps_.keys.DataKey(patient);
  if (!key.ok()) return FhirError(key.status());
  auto observation = store::OpenObservation(*key, **row);
  if (!observation.ok()) return FhirError(Status::DataLoss("Observation " + id + " does not open"));
  auto suspects = deps_.store.SuspectReadings(patient);
  if (!suspects.ok()) return FhirError(suspects.status());
  observation->suspect = store::FindSuspect(*suspects, observation->device_id, observation->seq);
  context_.ReportSent(request, session, patient, 1);
  return FhirOk(model::ToFhirJson(*observation));
}

HttpReply FhirRoutes::ReadDevice(const ApiRequest& request, const Session& session,
                                 const std::string& id) {
  // As for an Observation: one the caller may not read is answered as if it did not exist.
  const HttpReply not_found = FhirError(Status::NotFound("no Device/" + id));
  auto device = deps_.store.FindDevice(id);
  if (!device.ok()) return FhirError(device.status());
  if (!*device) return not_found;
  auto decision = context_.Authorize(request, session, access::Action::kReadDevices,
                                     (*device)->patient_id, "Device/" + id);
  if (decision.ok() && !decision->allowed()) return not_found;
  if (auto refused = FhirRefusal(decision)) return *refused;
  return FhirOk(DeviceResource(**device));
}

HttpReply FhirRoutes::SearchDevices(const ApiRequest& request, const Session& session) {
  const std::string patient = PatientIdOf(request.Param("patient").value_or(""));
  if (patient.empty()) return FhirError(Status::InvalidArgument("patient is required"));
  if (auto refused = FhirRefusal(context_.Authorize(request, session, access::Action::kReadDevices,
                                                    patient, "Device?patient=" + patient)))
    return *refused;
  auto devices = deps_.store.ListDevices();
  if (!devices.ok()) return FhirError(devices.status());
  std::vector<BundleEntry> entries;
  for (const auto& d : *devices) {
    if (d.patient_id == patient) {
      entries.push_back({request.base_url + "/fhir/Device/" + d.id, DeviceResource(d)});
    }
  }
  const uint64_t total = entries.size();
  return FhirOk(SearchBundle(entries, {SearchUrl(request, request.query), "", ""}, total));
}

HttpReply FhirRoutes::SearchFlags(const ApiRequest& request, const Session& session) {
  // A patient's notices of monitoring stopped by a security response: for whoever may read the
  // patient's record (the care team, the patient), newest first.
  const std::string patient = PatientIdOf(request.Param("patient").value_or(""));
  if (patient.empty()) return FhirError(Status::InvalidArgument("patient is required"));
  if (auto refused = FhirRefusal(context_.Authorize(request, session, access::Action::kReadPatient,
                                                    patient, "Flag?patient=" + patient)))
    return *refused;
  auto notices = deps_.store.alerts().MonitoringNotices(patient);
  if (!notices.ok()) return FhirError(notices.status());
  std::vector<BundleEntry> entries;
  for (const auto& n : *notices) {
    entries.push_back(
        {request.base_url + "/fhir/Flag/monitoring-" + std::to_string(n.id), FlagResource(n)});
  }
  const uint64_t total = entries.size();
  return FhirOk(SearchBundle(entries, {SearchUrl(request, request.query), "", ""}, total));
}

HttpReply FhirRoutes::SearchAuditEvents(const ApiRequest& request, const Session& session) {
  const std::string patient = PatientIdOf(request.Param("patient").value_or(""));
  if (patient.empty()) return FhirError(Status::InvalidArgument("patient is required"));
  uint64_t count = kDefaultCount, offset = 0;
  if (const auto text = request.Param("_count")) {
    auto parsed = ParseCount(*text, UINT32_MAX);
    if (!parsed.ok()) return FhirError(parsed.status());
    count = std::min(*parsed, kMaxCount);
  }
  if (const auto text = request.Param("_offset")) {
    auto parsed = ParseCount(*text, UINT32_MAX);
    if (!parsed.ok()) return FhirError(parsed.status());
    offset = *parsed;
  }
  if (auto refused =
          FhirRefusal(context_.Authorize(request, session, access::Action::kReadAuditEvents,
                                         patient, "AuditEvent?patient=" + patient)))
    return *refused;
  // Oldest first: the ledger only grows at the end, so offset pages stay stable while a client
  // pages. Entries about the patient are read until the page (and one more) is covered.
  struct Event {
    uint64_t index;
    int64_t time_ms;
    events::audit::Access entry;
  };
  std::vector<Event> events;
  bool exhausted = false;
  for (uint64_t limit = (offset + count + 1) * 2 + 64; !exhausted; limit *= 4) {
    auto stored = deps_.store.LedgerEntriesAbout(patient, limit);
    if (!stored.ok()) return FhirError(stored.status());
    exhausted = stored->size() < limit;
    events.clear();
    for (const auto& s : *stored) {
      auto entry = ledger::DecodeEntry(s.entry);
      if (!entry.ok()) continue;
      auto access = events::As<events::audit::Access>(*entry);
      if (!access || access->patient != patient) continue;  // the index column is not trusted
      events.push_back({s.index, entry->time_ms, std::move(*access)});
    }
    if (events.size() > offset + count) break;
  }
  std::vector<BundleEntry> entries;
  for (uint64_t i = offset; i < events.size() && i < offset + count; ++i) {
    auto& e = events[i];
    // A patient sees who read their data by role; other people's names stay with the staff.
    const bool own = e.entry.user == session.who.username;
    const auto view = session.who.role == access::Role::kPatient && !own ? AgentView::kRoleOnly
                                                                         : AgentView::kUser;
    entries.push_back({request.base_url + "/fhir/AuditEvent/ledger-" + std::to_string(e.index),
                       AuditEventResource(e.index, e.time_ms, e.entry, deps_.hub_name, view)});
  }
  BundleLinks links{PageUrl(request, offset), "", ""};
  if (count > 0 && events.size() > offset + count) links.next = PageUrl(request, offset + count);
  if (offset > 0) links.previous = PageUrl(request, offset > count ? offset - count : 0);
  std::optional<uint64_t> total;
  if (exhausted) total = events.size();
  return FhirOk(SearchBundle(entries, links, total));
}

HttpReply FhirRoutes::ReadConsent(const ApiRequest& request, const Session& session,
                                  const std::string& patient_id) {
  if (auto refused = FhirRefusal(context_.Authorize(request, session, access::Action::kReadConsent,
                                                    patient_id, "Consent/" + patient_id)))
    return *refused;
  auto stored = deps_.store.access().FindConsent(patient_id);
  if (!stored.ok()) return FhirError(stored.status());
  access::ConsentDirective directive;
  if (*stored) {
    auto decoded = access::DecodeConsent(**stored);
    if (!decoded.ok()) return FhirError(decoded.status());
    directive = *decoded;
  }
  const std::string consent = access::ConsentToFhir(directive, patient_id);
  if (request.path == "/fhir/Consent") {
    return FhirOk(SearchBundle({{request.base_url + "/fhir/Consent/" + patient_id, consent}},
                               {SearchUrl(request, request.query), "", ""}, 1));
  }
  return FhirOk(consent);
}

HttpReply FhirRoutes::WriteConsent(const ApiRequest& request, const Session& session,
                                   const std::string& patient_id) {
  if (auto refused = FhirRefusal(context_.Authorize(request, session, access::Action::kWriteConsent,
                                                    patient_id, "Consent/" + patient_id)))
    return *refused;
  if (request.content_type.rfind("application/fhir+json", 0) != 0 &&
      request.content_type.rfind("application/json", 0) != 0) {
    return OperationOutcome(415, "not-supported", "send application/fhir+json");
  }
  auto directive = access::ConsentFromFhir(request.body, patient_id);
  if (!directive.ok()) return FhirError(directive.status());
  const Status stored =
      access::SaveConsent(deps_.store.access(), deps_.audit, deps_.clock.NowMillis(), patient_id,
                          *directive, session.who.username);
  if (!stored.ok()) return FhirError(stored);
  return FhirOk(access::ConsentToFhir(*directive, patient_id));
}

}  // namespace vigil::api
