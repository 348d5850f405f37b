#include "api/fhir_resources.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/json_string.h"
#include "core/time_format.h"

namespace vigil::api {
namespace {

using nlohmann::json;

json Coding(std::string_view system, std::string_view code, std::string_view display = {}) {
  json c = {{"system", system}, {"code", code}};
  if (!display.empty()) c["display"] = display;
  return c;
}

json SearchParam(std::string_view name, std::string_view type) {
  return {{"name", name}, {"type", type}};
}

// `,{"relation":...,"url":...}`: a link after "self" (which is first, without the comma).
void AppendLink(std::string& out, std::string_view relation, const std::string& url) {
  if (relation != "self") out += ',';
  out += "{\"relation\":";
  AppendJsonString(out, relation);
  out += ",\"url\":";
  AppendJsonString(out, url);
  out += "}";
}

}  // namespace

HttpReply OperationOutcome(int status, std::string_view issue_code, std::string_view diagnostics) {
  const json body = {{"resourceType", "OperationOutcome"},
                     {"issue", json::array({{{"severity", status >= 500 ? "fatal" : "error"},
                                             {"code", issue_code},
                                             {"diagnostics", diagnostics}}})}};
  HttpReply reply(status, std::string(kFhirJson), DumpJson(body));
  if (status == 401) reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigil\"");
  return reply;
}

std::string WarningOutcome(const std::vector<std::string>& warnings) {
  json issues = json::array();
  for (const auto& w : warnings) {
    issues.push_back({{"severity", "warning"}, {"code", "not-supported"}, {"diagnostics", w}});
  }
  return DumpJson({{"resourceType", "OperationOutcome"}, {"issue", issues}});
}

std::string SubsetResource(std::string_view resource_json,
                           const std::vector<std::string>& elements) {
  const json whole = json::parse(resource_json, nullptr, false);
  if (!whole.is_object()) return std::string(resource_json);
  json kept = json::object();
  for (const auto& [name, value] : whole.items()) {
    if (name == "resourceType" || name == "id" || name == "meta" ||
        std::find(elements.begin(), elements.end(), name) != elements.end()) {
      kept[name] = value;
    }
  }
  kept["meta"]["tag"] =
      json::array({{{"system", "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"},
                    {"code", "SUBSETTED"},
                    {"display", "subsetted"}}});
  return DumpJson(kept);
}

std::string FlagResource(const store::MonitoringNotice& notice) {
  json flag = {
      {"resourceType", "Flag"},
      {"id", "monitoring-" + std::to_string(notice.id)},
      {"status", notice.until_ms == 0 ? "active" : "inactive"},
      {"category",
       json::array(
           {{{"coding", json::array({Coding("http://terminology.hl7.org/CodeSystem/flag-category",
                                            "safety", "Safety")})}}})},
      {"code", {{"text", notice.text}}},
      {"subject", {{"reference", "Patient/" + notice.patient_id}}},
      {"period", {{"start", FormatRfc3339Millis(notice.since_ms)}}}};
  if (notice.until_ms != 0) flag["period"]["end"] = FormatRfc3339Millis(notice.until_ms);
  return DumpJson(flag);
}

std::string PatientResource(const std::string& id, const std::string& demographics_json) {
  const json d = json::parse(demographics_json, nullptr, false);
  json patient = {{"resourceType", "Patient"}, {"id", id}};
  if (d.is_object()) {
    if (d.contains("name")) patient["name"] = json::array({{{"text", d["name"]}}});
    if (d.contains("birthDate")) patient["birthDate"] = d["birthDate"];
  }
  return DumpJson(patient);
}

std::string DeviceResource(const store::DeviceRecord& device) {
  const json resource = {
      {"resourceType", "Device"},
      {"id", device.id},
      {"identifier", json::array({{{"system", "urn:vigil:device"}, {"value", device.id}}})},
      {"status", device.status == store::DeviceStatus::kActive ? "active" : "inactive"},
      {"type", {{"text", device.type}}},
      {"patient", {{"reference", "Patient/" + device.patient_id}}}};
  return DumpJson(resource);
}

std::string AuditEventResource(uint64_t index, int64_t time_ms, const events::audit::Access& entry,
                               const std::string& hub_name, AgentView view) {
  const std::string& decision = entry.decision;
  const std::string& user = entry.user;
  const std::string& role = entry.role;
  const json who = view == AgentView::kUser
                       ? json{{"identifier", {{"system", "urn:vigil:user"}, {"value", user}}},
                              {"display", user + " (" + role + ")"}}
                       : json{{"display", (role.find_first_of("aeiou") == 0 ? "an " : "a ") + role +
                                              " at " + hub_name}};
  json agent = {{"type",
                 {{"coding", json::array({Coding("http://terminology.hl7.org/CodeSystem/"
                                                 "extra-security-role-type",
                                                 "humanuser", "human user")})}}},
                {"who", who},
                {"requestor", true}};
  json event = {
      {"resourceType", "AuditEvent"},
      {"id", "ledger-" + std::to_string(index)},
      {"type", Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest",
                      "RESTful Operation")},
      {"action", "R"},
      {"recorded", FormatRfc3339Millis(time_ms)},
      {"outcome", decision == "denied" ? "4" : "0"},
      {"outcomeDesc", decision + " (" + entry.basis + ")"},
      {"agent", json::array({agent})},
      {"source", {{"site", hub_name}, {"observer", {{"display", "Vigil hub " + hub_name}}}}},
      {"entity", json::array({{{"what", {{"reference", "Patient/" + entry.patient}}},
                               {"description", entry.action + " " + entry.resource}}})}};
  if (decision == "break-glass") {
    event["purposeOfEvent"] = json::array(
        {{{"coding", json::array({Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason",
                                         "ETREAT", "Emergency Treatment")})},
          {"text", entry.reason}}});
  }
  return DumpJson(event);
}

std::string CapabilityStatement(const std::string& hub_name) {
  auto resource = [](std::string_view type, json interactions, json params) {
    json r = {{"type", type}, {"interaction", json::array()}};
    for (const auto& i : interactions) r["interaction"].push_back({{"code", i}});
    if (!params.empty()) r["searchParam"] = std::move(params);
    return r;
  };
  json observation = resource(
      "Observation", {"read", "search-type"},
      json::array({SearchParam("patient", "reference"), SearchParam("subject", "reference"),
                   SearchParam("code", "token"), SearchParam("category", "token"),
                   SearchParam("date", "date"), SearchParam("_id", "token"),
                   SearchParam("_lastUpdated", "date"), SearchParam("_count", "number"),
                   SearchParam("_sort", "string"), SearchParam("_summary", "token"),
                   SearchParam("_elements", "string"), SearchParam("_total", "token")}));
  observation["searchInclude"] =
      json::array({"Observation:device", "Observation:patient", "Observation:subject"});
  json patient = resource("Patient", {"read", "search-type"},
                          json::array({SearchParam("_id", "token"), SearchParam("_count", "number"),
                                       SearchParam("_summary", "token")}));
  patient["operation"] = json::array(
      {{{"name", "everything"},
        {"definition", "http://hl7.org/fhir/OperationDefinition/Patient-everything"}},
       {{"name", "export"},
        {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}}});
  const json rest = {
      {"mode", "server"},
      // What there is, and no more: Vigil's own bearer sessions, not OAuth or SMART on FHIR.
      {"security",
       {{"cors", false},
        {"description",
         "Bearer session tokens from POST /auth/login then /auth/mfa (password and TOTP; not "
         "OAuth or SMART on FHIR). Deny by default: roles, care teams, patient consent, "
         "break-glass"}}},
      {"operation",
       json::array(
           {{{"name", "export"},
             {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}}})},
      {"resource", json::array({patient, observation,
                                resource("Flag", {"search-type"},
                                         json::array({SearchParam("patient", "reference")})),
                                resource("Device", {"read", "search-type"},
                                         json::array({SearchParam("patient", "reference")})),
                                resource("AuditEvent", {"search-type"},
                                         json::array({SearchParam("patient", "reference"),
                                                      SearchParam("_count", "number")})),
                                resource("Consent", {"read", "update", "search-type"},
                                         json::array({SearchParam("patient", "reference")}))})}};
  const json statement = {{"resourceType", "CapabilityStatement"},
                          {"status", "active"},
                          {"date", "2026-11-23"},
                          {"publisher", "Vigil"},
                          {"kind", "instance"},
                          {"software", {{"name", "Vigil"}, {"version", "0.1.0"}}},
                          {"implementation", {{"description", "Vigil hub " + hub_name}}},
                          {"fhirVersion", "4.0.1"},
                          {"format", json::array({"application/fhir+json"})},
                          {"rest", json::array({rest})}};
  return DumpJson(statement);
}

BundleWriter::BundleWriter(BundleLinks links, std::optional<uint64_t> total, size_t reserve_bytes)
    : links_(std::move(links)) {
  out_.reserve(reserve_bytes + 512);
  out_ = R"({"resourceType":"Bundle","type":"searchset")";
  if (total) out_ += ",\"total\":" + std::to_string(*total);
}

void BundleWriter::BeginEntry(std::string_view full_url) {
  out_ += first_ ? ",\"entry\":[" : ",";
  first_ = false;
  if (full_url.empty()) {  // an outcome entry: no resource of the server's to name
    out_ += "{\"resource\":";
    return;
  }
  out_ += "{\"fullUrl\":";
  AppendJsonString(out_, full_url);
  out_ += ",\"resource\":";
}

void BundleWriter::AddNextLink(std::string url) { links_.next = std::move(url); }

std::string BundleWriter::Finish() && {
  if (!first_) out_ += "]";
  // The links last: the next one is known once the page is read, and JSON members have no order.
  out_ += ",\"link\":[";
  AppendLink(out_, "self", links_.self);
  if (!links_.next.empty()) AppendLink(out_, "next", links_.next);
  if (!links_.previous.empty()) AppendLink(out_, "previous", links_.previous);
  out_ += "]}";
  return std::move(out_);
}

std::string SearchBundle(const std::vector<BundleEntry>& entries, const BundleLinks& links,
                         std::optional<uint64_t> total) {
  BundleWriter bundle(links, total);
  for (const auto& e : entries) bundle.AddJson(e.full_url, e.resource);
  return std::move(bundle).Finish();
}

}  // namespace vigil::api
