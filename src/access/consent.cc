#include "access/consent.h"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "core/json_string.h"
#include "core/time_format.h"

namespace vigil::access {
namespace {

using nlohmann::json;

constexpr std::string_view kCategorySystem =
    "http://terminology.hl7.org/CodeSystem/observation-category";
constexpr std::string_view kVigilCategorySystem = "urn:vigil:data-category";
constexpr std::string_view kActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
constexpr std::string_view kParticipation =
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

json CategoryCoding(DataCategory c) {
  return c == DataCategory::kVitalSigns
             ? json{{"system", kCategorySystem}, {"code", "vital-signs"}}
             : json{{"system", kVigilCategorySystem}, {"code", "device-data"}};
}

bool Matches(const ConsentException& e, std::optional<DataCategory> category,
             const std::string& username, bool on_care_team) {
  if (e.category && e.category != category) return false;
  switch (e.recipient) {
    case RecipientKind::kEveryone:
      return true;
    case RecipientKind::kCareTeam:
      return on_care_team;
    case RecipientKind::kUser:
      return e.username == username;
    case RecipientKind::kResearch:
      return false;
  }
  return false;
}

// Refuses every element of `object` outside `known`: an element the policy would not enforce
// (a period, a nested provision, data, action, a security label, a modifier extension...) must
// not be stored as if it were, nor silently dropped. Throws std::invalid_argument naming it.
void RefuseUnsupported(const json& object, std::initializer_list<std::string_view> known,
                       const std::string& at) {
  for (const auto& [name, value] : object.items()) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    throw std::invalid_argument(
        at + "." + name +
        " is not supported: Vigil could not enforce it, so the directive is refused and the "
        "stored one is unchanged (docs/access.md lists the elements it enforces)");
  }
}

// The one coding of a CodeableConcept (or none), each coding holding only system/code/display.
void RefuseOtherCodings(const json& codeable, std::string_view system, std::string_view code,
                        const std::string& at) {
  if (!codeable.is_object()) throw std::invalid_argument(at + " must be a CodeableConcept");
  RefuseUnsupported(codeable, {"coding", "text"}, at);
  for (const json& c : codeable.value("coding", json::array())) {
    if (!c.is_object() || c.value("system", "") != system || c.value("code", "") != code) {
      throw std::invalid_argument(at + " must be " + std::string(system) + "|" + std::string(code) +
                                  " (the only one Vigil enforces)");
    }
    RefuseUnsupported(c, {"system", "code", "display", "version"}, at + ".coding");
  }
}

// Reads one exception provision; throws std::invalid_argument with the element's path.
ConsentException ReadException(const json& p, const std::string& patient_id, size_t i) {
  const std::string at = "Consent.provision.provision[" + std::to_string(i) + "]";
  auto fail = [&](const std::string& what) { throw std::invalid_argument(at + ": " + what); };
  RefuseUnsupported(p, {"id", "type", "class", "purpose", "actor"}, at);
  ConsentException e;
  const std::string type = p.value("type", "");
  if (type != "permit" && type != "deny") fail("type must be permit or deny");
  e.permit = type == "permit";
  if (p.contains("class")) {
    if (!p["class"].is_array() || p["class"].size() != 1) fail("class takes one coding");
    const json& c = p["class"][0];
    RefuseUnsupported(c, {"system", "code", "display", "version"}, at + ".class[0]");
    const std::string system = c.value("system", ""), code = c.value("code", "");
    if (system == kCategorySystem && code == "vital-signs") {
      e.category = DataCategory::kVitalSigns;
    } else if (system == kVigilCategorySystem && code == "device-data") {
      e.category = DataCategory::kDeviceData;
    } else {
      fail("unsupported class " + system + "|" + code);
    }
  }
  if (p.contains("purpose")) {
    if (!p["purpose"].is_array() || p["purpose"].size() != 1 || !p["purpose"][0].is_object() ||
        p["purpose"][0].value("code", "") != "HRESCH" ||
        p["purpose"][0].value("system", std::string(kActReason)) != kActReason) {
      fail("the only purpose supported is v3-ActReason HRESCH (research)");
    }
    e.recipient = RecipientKind::kResearch;
  }
  if (p.contains("actor")) {
    if (e.recipient == RecipientKind::kResearch) fail("actor and purpose together");
    if (!p["actor"].is_array() || p["actor"].size() != 1) fail("actor takes one recipient");
    RefuseUnsupported(p["actor"][0], {"role", "reference"}, at + ".actor[0]");
    if (p["actor"][0].contains("role")) {
      RefuseOtherCodings(p["actor"][0]["role"], kParticipation, "IRCP", at + ".actor[0].role");
    }
    const std::string ref = p["actor"][0].value("reference", json::object()).value("reference", "");
    if (ref == "CareTeam/" + patient_id) {
      e.recipient = RecipientKind::kCareTeam;
    } else if (ref.rfind("Practitioner/", 0) == 0 && ref.size() > 13) {
      e.recipient = RecipientKind::kUser;
      e.username = ref.substr(13);
    } else {
      fail("actor must be CareTeam/" + patient_id + " or Practitioner/<username>");
    }
  }
  return e;
}

// Parses a Consent; throws std::invalid_argument (ReadException) or nlohmann's type errors.
Result<ConsentDirective> ParseConsent(const std::string& text, const std::string& patient_id) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Status::InvalidArgument("not a JSON object");
  if (doc.value("resourceType", "") != "Consent") {
    return Status::InvalidArgument("resourceType must be Consent");
  }
  // What a client may send back as it got it (GET), and what carries no rule: the rest is
  // refused by name (a period, a policy, an extension the hub would not enforce).
  RefuseUnsupported(
      doc,
      {"resourceType", "id", "meta", "language", "text", "identifier", "status", "scope",
       "category", "patient", "dateTime", "performer", "organization", "policyRule", "provision"},
      "Consent");
  if (doc.contains("meta")) {
    if (!doc["meta"].is_object()) return Status::InvalidArgument("Consent.meta must be an object");
    RefuseUnsupported(doc["meta"], {"versionId", "lastUpdated", "source", "profile", "tag"},
                      "Consent.meta");
  }
  if (doc.contains("scope")) {
    RefuseOtherCodings(doc["scope"], "http://terminology.hl7.org/CodeSystem/consentscope",
                       "patient-privacy", "Consent.scope");
  }
  if (doc.contains("policyRule")) {
    RefuseOtherCodings(doc["policyRule"],
                       "http://terminology.hl7.org/CodeSystem/consentpolicycodes", "hipaa-npp",
                       "Consent.policyRule");
  }
  if (doc.value("status", "") != "active") {
    return Status::InvalidArgument("Consent.status must be active");
  }
  const std::string patient =
      doc.value("patient", json::object()).value("reference", std::string());
  if (patient != "Patient/" + patient_id) {
    return Status::InvalidArgument("Consent.patient must be Patient/" + patient_id);
  }
  if (!doc.contains("provision") || !doc["provision"].is_object()) {
    return Status::InvalidArgument("Consent.provision is required");
  }
  const json& provision = doc["provision"];
  RefuseUnsupported(provision, {"id", "type", "provision"}, "Consent.provision");
  const std::string base = provision.value("type", "");
  if (base != "permit" && base != "deny") {
    return Status::InvalidArgument("Consent.provision.type must be permit or deny");
  }
  ConsentDirective directive;
  directive.base_permit = base == "permit";
  if (provision.contains("provision")) {
    if (!provision["provision"].is_array()) {
      return Status::InvalidArgument("Consent.provision.provision must be an array");
    }
    size_t i = 0;
    for (const json& p : provision["provision"]) {
      if (!p.is_object()) throw std::invalid_argument("Consent.provision.provision: not objects");
      directive.exceptions.push_back(ReadException(p, patient_id, i++));
    }
  }
  return directive;
}

}  // namespace

bool ConsentPermits(const ConsentDirective& directive, std::optional<DataCategory> category,
                    const std::string& username, bool on_care_team) {
  bool permitted = false;
  for (const auto& e : directive.exceptions) {
    if (!Matches(e, category, username, on_care_team)) continue;
    if (!e.permit) return false;
    permitted = true;
  }
  return permitted || (directive.base_permit && on_care_team);
}

bool ConsentPermitsResearch(const ConsentDirective& directive, DataCategory category) {
  bool permitted = false;
  for (const auto& e : directive.exceptions) {
    if (e.recipient != RecipientKind::kResearch || (e.category && e.category != category)) {
      continue;
    }
    if (!e.permit) return false;
    permitted = true;
  }
  return permitted;
}

std::string ConsentToFhir(const ConsentDirective& directive, const std::string& patient_id) {
  json exceptions = json::array();
  for (const auto& e : directive.exceptions) {
    json p = {{"type", e.permit ? "permit" : "deny"}};
    if (e.category) p["class"] = json::array({CategoryCoding(*e.category)});
    const json role = {{"coding", json::array({{{"system", kParticipation}, {"code", "IRCP"}}})}};
    if (e.recipient == RecipientKind::kCareTeam) {
      p["actor"] =
          json::array({{{"role", role}, {"reference", {{"reference", "CareTeam/" + patient_id}}}}});
    } else if (e.recipient == RecipientKind::kUser) {
      p["actor"] = json::array(
          {{{"role", role}, {"reference", {{"reference", "Practitioner/" + e.username}}}}});
    } else if (e.recipient == RecipientKind::kResearch) {
      p["purpose"] = json::array({{{"system", kActReason}, {"code", "HRESCH"}}});
    }
    exceptions.push_back(std::move(p));
  }
  json provision = {{"type", directive.base_permit ? "permit" : "deny"}};
  if (!exceptions.empty()) provision["provision"] = std::move(exceptions);
  json consent = {
      {"resourceType", "Consent"},
      {"id", patient_id},
      {"status", "active"},
      {"scope",
       {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/consentscope"},
                                 {"code", "patient-privacy"}}})}}},
      {"category",
       json::array(
           {{{"coding", json::array({{{"system", "http://loinc.org"}, {"code", "59284-0"}}})}}})},
      {"patient", {{"reference", "Patient/" + patient_id}}},
      {"policyRule",
       {{"coding",
         json::array({{{"system", "http://terminology.hl7.org/CodeSystem/consentpolicycodes"},
                       {"code", "hipaa-npp"}}})}}},
      {"provision", std::move(provision)}};
  if (directive.updated_ms > 0) consent["dateTime"] = FormatRfc3339Millis(directive.updated_ms);
  return DumpJson(consent);
}

Result<ConsentDirective> ConsentFromFhir(const std::string& text, const std::string& patient_id) {
  try {
    return ParseConsent(text, patient_id);
  } catch (const std::exception& e) {  // json type errors: an element of the wrong JSON type
    return Status::InvalidArgument(std::string("Consent: ") + e.what());
  }
}

std::string EncodeConsent(const ConsentDirective& directive) {
  return ConsentToFhir(directive, "stored");
}

Result<ConsentDirective> DecodeConsent(const std::string& stored) {
  const json doc = json::parse(stored, nullptr, false);
  VIGIL_ASSIGN_OR_RETURN(ConsentDirective directive, ConsentFromFhir(stored, "stored"));
  if (!doc.is_discarded() && doc.contains("dateTime")) {
    auto when = ParseRfc3339Millis(doc.value("dateTime", ""));
    if (when.ok()) directive.updated_ms = *when;
  }
  return directive;
}

}  // namespace vigil::access
