#include "api/fhir_routes.h"

#include <algorithm>
#include <charconv>

#include "api/api_errors.h"
#include "api/fhir_date.h"
#include "api/fhir_resources.h"
#include "core/percent_encoding.h"
#include "core/time_format.h"
#include "crypto/bytes.h"
#include "events/audit_records.h"
#include "model/observation.h"
#include "store/sealed_record.h"

namespace vigil::api {
namespace {

constexpr uint64_t kDefaultCount = 100;
constexpr uint64_t kMaxCount = 1000;
constexpr size_t kMaxBreakGlassReason = 256;
constexpr size_t kMaxCodes = 20;

HttpReply Fhir(std::string body) { return HttpReply(200, std::string(kFhirJson), std::move(body)); }

// The reply refusing a request, unless `decision` allows it (and was recorded).
std::optional<HttpReply> FhirRefusal(const Result<access::Decision>& decision) {
  if (!decision.ok()) return FhirError(decision.status());
  if (!decision->allowed()) {
    return FhirError(Status::PermissionDenied("access denied (" + decision->basis + ")"));
  }
  return std::nullopt;
}

// "Patient/p-1" or "p-1" -> "p-1".
std::string PatientIdOf(const std::string& reference) {
  constexpr std::string_view kPrefix = "Patient/";
  return reference.rfind(kPrefix, 0) == 0 ? reference.substr(kPrefix.size()) : reference;
}

Result<uint64_t> ParseCount(const std::string& text, uint64_t max) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max) {
    return Status::InvalidArgument("a count must be a number from 0 to " + std::to_string(max));
  }
  return v;
}

// A FHIR date search value (api/fhir_date.h); repeated, all must hold.
Status ApplyDate(const std::string& value, store::ObservationQuery& q) {
  VIGIL_ASSIGN_OR_RETURN(DateCondition c, ParseFhirDateSearch(value));
  if (c.from_ms) q.from_ms = std::max(q.from_ms.value_or(INT64_MIN), *c.from_ms);
  if (c.to_ms) q.to_ms = std::min(q.to_ms.value_or(INT64_MAX), *c.to_ms);
  if (c.outside) {
    if (q.not_between) return Status::InvalidArgument("date: one ne at most");
    q.not_between = c.outside;
  }
  return Status::Ok();
}

// The Observation search of the request; InvalidArgument for unknown or bad parameters.
Result<store::ObservationQuery> ParseObservationSearch(const ApiRequest& request) {
  store::ObservationQuery q;
  q.limit = kDefaultCount;
  for (const auto& [name, value] : request.query) {
    if (name == "patient" || name == "subject") {
      q.patient_id = PatientIdOf(value);
    } else if (name == "code") {
      // A search matches any coding a resource carries (model::SearchedLoincCodes).
      VIGIL_ASSIGN_OR_RETURN(auto codes, model::SearchedLoincCodes(value));
      for (auto& c : codes) q.codes.push_back(std::move(c));
    } else if (name == "date") {
      VIGIL_RETURN_IF_ERROR(ApplyDate(value, q));
    } else if (name == "_count") {  // FHIR lets a server cap it: larger asks get the maximum
      VIGIL_ASSIGN_OR_RETURN(q.limit, ParseCount(value, UINT32_MAX));
      q.limit = std::min(q.limit, kMaxCount);
    } else if (name == "_offset") {
      VIGIL_ASSIGN_OR_RETURN(q.offset, ParseCount(value, UINT32_MAX));
    } else if (name == "_sort") {
      if (value != "date" && value != "-date") {
        return Status::InvalidArgument("_sort: date or -date");
      }
      q.newest_first = value == "-date";
    } else if (name != "_total" && name != "_format") {
      return Status::InvalidArgument("unsupported search parameter " + name);
    }
  }
  if (q.patient_id.empty()) return Status::InvalidArgument("patient is required");
  if (q.codes.size() > kMaxCodes) {
    return Status::InvalidArgument("code: " + std::to_string(kMaxCodes) + " codes at most");
  }
  return q;
}

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

// The search URL of `request` with _offset set to `offset`.
std::string PageUrl(const ApiRequest& request, uint64_t offset) {
  std::string url = request.base_url + request.path + "?";
  for (const auto& [name, value] : request.query) {
    if (name == "_offset") continue;
    url += PercentEncode(name) + "=" + PercentEncode(value) + "&";
  }
  return url + "_offset=" + std::to_string(offset);
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
  if (auto id = id_after("/fhir/Patient/")) return ReadPatient(request, session, *id);
  if (auto id = id_after("/fhir/Device/")) return ReadDevice(request, session, *id);
  if (path == "/fhir/Observation") return SearchObservations(request, session);
  if (auto id = id_after("/fhir/Observation/")) return ReadObservation(request, session, *id);
  if (path == "/fhir/Device") return SearchDevices(request, session);
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
  auto patient = deps_.store.FindPatient(id);
  if (!patient.ok()) return FhirError(patient.status());
  if (!*patient) return FhirError(Status::NotFound("no Patient/" + id));
  auto key = deps_.keys.DataKey(id);
  if (!key.ok()) return FhirError(key.status());
  auto demographics = store::OpenDemographics(*key, id, (*patient)->sealed_demographics);
  if (!demographics.ok()) return FhirError(demographics.status());
  context_.ReportSent(request, session, id, 1);
  return Fhir(PatientResource(id, *demographics));
}

HttpReply FhirRoutes::SearchObservations(const ApiRequest& request, const Session& session) {
  auto query = ParseObservationSearch(request);
  if (!query.ok()) return FhirError(query.status());
  if (auto refused = FhirRefusal(
          context_.Authorize(request, session, access::Action::kReadObservations, query->patient_id,
                             "Observation?patient=" + query->patient_id)))
    return *refused;
  std::optional<uint64_t> total;
  if (query->limit == 0 || request.Param("_total") == "accurate") {  // _count=0: the count only
    auto count = deps_.store.CountObservations(*query);
    if (!count.ok()) return FhirError(count.status());
    total = *count;
  }
  // The next page's link is written up front and dropped if the page turns out to be the last.
  BundleLinks links{PageUrl(request, query->offset), PageUrl(request, query->offset + query->limit),
                    ""};
  if (query->offset > 0) {
    links.previous =
        PageUrl(request, query->offset > query->limit ? query->offset - query->limit : 0);
  }
  BundleWriter bundle(links, total, query->limit * 1100);
  store::ObservationQuery page = *query;
  page.limit = query->limit + 1;  // one more tells whether there is a next page
  const std::string url_prefix = request.base_url + "/fhir/Observation/";
  std::string full_url = url_prefix;
  std::optional<store::ObservationOpener> opener;  // keyed at the first row
  model::Observation observation;                  // reused row after row
  uint64_t rows = 0;
  Status failed;
  const Status read =
      deps_.store.VisitObservations(page, [&](const store::SealedObservationView& row) {
        if (++rows > query->limit) return false;
        if (!opener) {
          auto key = deps_.keys.DataKey(query->patient_id);
          if (!key.ok()) {
            failed = key.status();
            return false;
          }
          opener.emplace(*key);
        }
        full_url.resize(url_prefix.size());
        full_url += row.id;
        if (!opener->OpenInto(row, observation).ok()) {
          failed = Status::DataLoss("Observation " + std::string(row.id) + " does not open");
          return false;
        }
        bundle.Add(full_url, [&](std::string& out) { model::AppendFhirJson(out, observation); });
        return true;
      });
  if (!read.ok()) return FhirError(read);
  if (!failed.ok()) return FhirError(failed);
  if (rows <= query->limit || query->limit == 0) bundle.DropNextLink();  // never a page to itself
  context_.ReportSent(request, session, query->patient_id, std::min<uint64_t>(rows, query->limit));
  return Fhir(std::move(bundle).Finish());
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
  context_.ReportSent(request, session, patient, 1);
  return Fhir(model::ToFhirJson(*observation));
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
  return Fhir(DeviceResource(**device));
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
  return Fhir(SearchBundle(entries, {PageUrl(request, 0), "", ""}, total));
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
  return Fhir(SearchBundle(entries, links, total));
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
    return Fhir(SearchBundle({{request.base_url + "/fhir/Consent/" + patient_id, consent}},
                             {PageUrl(request, 0), "", ""}, 1));
  }
  return Fhir(consent);
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
  directive->updated_ms = deps_.clock.NowMillis();
  const std::string encoded = access::EncodeConsent(*directive);
  Status stored = deps_.store.access().PutConsent(patient_id, encoded, directive->updated_ms);
  if (stored.ok()) {  // the digest lets `vigil verify` check the stored directive is this one
    stored = deps_.audit.Append(events::Record(
        directive->updated_ms,
        events::audit::ConsentChanged{.patient = patient_id,
                                      .by = session.who.username,
                                      .consent_sha256 = crypto::Hex(crypto::Sha256(encoded))}));
  }
  if (!stored.ok()) return FhirError(stored);
  return Fhir(access::ConsentToFhir(*directive, patient_id));
}

}  // namespace vigil::api
