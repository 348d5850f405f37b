#include "model/observation.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "core/json_string.h"
#include "core/time_format.h"

namespace vigil::model {
namespace {

// The FHIR JSON is written directly rather than through a DOM: this runs once per measurement
// on the ingest hot path, and the shape is fixed. Every string goes through AppendString.

constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kUcum = "http://unitsofmeasure.org";
constexpr std::string_view kCategorySystem =
    "http://terminology.hl7.org/CodeSystem/observation-category";

void AppendString(std::string& out, std::string_view s) { AppendJsonString(out, s); }

// "key":"value" for values from Vigil's own tables (codes, units, displays, systems), which
// need no escaping; anything from outside goes through AppendString.
void AppendConstField(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out += key;
  out += "\":\"";
  out += value;
  out += '"';
}

void AppendNumber(std::string& out, double v) {
  char buf[32];
  const double rounded = std::round(v * 100.0) / 100.0;
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, rounded);
  out.append(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
}

void AppendCoding(std::string& out, std::string_view system, std::string_view code,
                  std::string_view display) {
  out += '{';
  AppendConstField(out, "system", system);
  out += ',';
  AppendConstField(out, "code", code);
  out += ',';
  AppendConstField(out, "display", display);
  out += '}';
}

constexpr std::string_view kArterialSpo2Code = "2708-6";

void AppendLoincConcept(std::string& out, std::string_view code, std::string_view display,
                        bool with_arterial_spo2_code = false) {
  out += "{\"coding\":[";
  AppendCoding(out, kLoinc, code, display);
  if (with_arterial_spo2_code) {  // the oxygensat profile also asks for 2708-6
    out += ',';
    AppendCoding(out, kLoinc, kArterialSpo2Code, "Oxygen saturation in Arterial blood");
  }
  out += "],";
  AppendConstField(out, "text", display);
  out += '}';
}

// A Quantity's unit, after its value: `,"unit":..,"system":..,"code":..}`.
void AppendQuantityUnit(std::string& out, const VitalSpec& spec) {
  out += ',';
  AppendConstField(out, "unit", spec.unit_display);
  out += ',';
  AppendConstField(out, "system", kUcum);
  out += ',';
  AppendConstField(out, "code", spec.ucum);
  out += '}';
}

void AppendQuantity(std::string& out, const VitalSpec& spec, double value) {
  out += "{\"value\":";
  AppendNumber(out, value);
  AppendQuantityUnit(out, spec);
}

// What an Observation's JSON holds between meta.lastUpdated and its subject: the profile, status
// and category (the same for every Observation of a kind), ending at the subject's reference.
std::string HeadConstants(std::string_view profile, VitalKind category_kind) {
  const bool lab = category_kind == VitalKind::kBloodGlucose;
  std::string out;
  if (!profile.empty()) {
    out += R"(,"profile":[")";
    out += profile;
    out += "\"]";
  }
  out += R"(},"status":"final","category":[{"coding":[)";
  AppendCoding(out, kCategorySystem, lab ? "laboratory" : "vital-signs",
               lab ? "Laboratory" : "Vital Signs");
  out += "],";
  AppendConstField(out, "text", lab ? "Laboratory" : "Vital Signs");
  out += R"(}],"subject":{"reference":)";
  return out;
}

// `prefix` + `id` as a JSON string, without allocating once the scratch buffer has grown.
void AppendReference(std::string& out, std::string_view prefix, const std::string& id) {
  thread_local std::string reference;
  reference.assign(prefix);
  reference += id;
  AppendString(out, reference);
}

// Everything an Observation has before its code and value; `constants` from HeadConstants.
void AppendHead(std::string& out, const Observation& obs, std::string_view constants) {
  out += R"({"resourceType":"Observation","id":)";
  AppendString(out, obs.id);
  out += R"(,"meta":{"lastUpdated":")";  // stored once, never changed: when it was received
  AppendRfc3339Millis(out, obs.issued_ms);
  out += '"';
  if (!obs.suspect.empty()) {
    out += R"(,"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue",)"
           R"("code":"UNCERTREL","display":"uncertain reliability"}],"tag":[{"system":)"
           R"("urn:vigil:suspect","code":")";
    out += obs.suspect;  // a reason's name: [a-z_]
    out += R"("}])";
  }
  out += constants;
  AppendReference(out, "Patient/", obs.patient_id);
  out += R"(},"effectiveDateTime":")";
  AppendRfc3339Millis(out, obs.effective_ms);
  out += R"(","issued":")";
  AppendRfc3339Millis(out, obs.issued_ms);
  out += R"(","device":{"reference":)";
  AppendReference(out, "Device/", obs.device_id);
  out += R"(},"code":)";
}

// The parts of a one-measurement Observation's JSON that depend only on its kind, rendered
// once: a page of a thousand heart rates then writes only ids, times and values.
struct SingleMeasurementTemplate {
  std::string head;             // HeadConstants
  std::string code_to_value;    // the code, up to the value
  std::string unit_to_the_end;  // the value's unit, and the closing braces
};

const SingleMeasurementTemplate& TemplateOf(VitalKind kind) {
  static const auto templates = [] {
    constexpr size_t kKinds = static_cast<size_t>(VitalKind::kBodyWeight) + 1;
    std::array<SingleMeasurementTemplate, kKinds> all;
    for (size_t k = 0; k < kKinds; ++k) {
      const VitalSpec& spec = SpecOf(static_cast<VitalKind>(k));
      SingleMeasurementTemplate& t = all[k];
      t.head = HeadConstants(spec.fhir_profile, spec.kind);
      AppendLoincConcept(t.code_to_value, spec.loinc, spec.display, spec.kind == VitalKind::kSpo2);
      t.code_to_value += R"(,"valueQuantity":{"value":)";
      AppendQuantityUnit(t.unit_to_the_end, spec);
      t.unit_to_the_end += '}';
    }
    return all;
  }();
  return templates[static_cast<size_t>(kind)];
}

void SingleMeasurement(std::string& out, const Observation& obs, const Measurement& m) {
  const SingleMeasurementTemplate& t = TemplateOf(m.kind);
  AppendHead(out, obs, t.head);
  out += t.code_to_value;
  AppendNumber(out, m.value);
  out += t.unit_to_the_end;
}

void BloodPressurePanel(std::string& out, const Observation& obs) {
  static const std::string head =
      HeadConstants("http://hl7.org/fhir/StructureDefinition/bp", VitalKind::kSystolicBp);
  AppendHead(out, obs, head);
  AppendLoincConcept(out, kBloodPressurePanelCode,
                     "Blood pressure panel with all children optional");
  out += ",\"component\":[";
  for (size_t i = 0; i < obs.measurements.size(); ++i) {
    const Measurement& m = obs.measurements[i];
    const VitalSpec& spec = SpecOf(m.kind);
    if (i > 0) out += ',';
    out += "{\"code\":";
    AppendLoincConcept(out, spec.loinc, spec.display);
    out += ",\"valueQuantity\":";
    AppendQuantity(out, spec, m.value);
    out += '}';
  }
  out += "]}";
}

// Index of the other blood pressure (diastolic for a systolic and the reverse) taken at the same
// time as the measurement at `i`, or -1.
int FindBloodPressurePartner(const Reading& r, size_t i, const std::vector<bool>& used) {
  const VitalKind kind = r.measurements[i].kind;
  if (kind != VitalKind::kSystolicBp && kind != VitalKind::kDiastolicBp) return -1;
  const VitalKind other =
      kind == VitalKind::kSystolicBp ? VitalKind::kDiastolicBp : VitalKind::kSystolicBp;
  for (size_t j = 0; j < r.measurements.size(); ++j) {
    if (!used[j] && r.measurements[j].kind == other &&
        r.measurements[j].effective_ms == r.measurements[i].effective_ms) {
      return static_cast<int>(j);
    }
  }
  return -1;
}

}  // namespace

std::optional<ObservationSource> SourceOfObservationId(std::string_view id) {
  auto all_digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 19 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const size_t last = id.rfind('.');
  if (last == std::string_view::npos || last == 0 || !all_digits(id.substr(last + 1))) {
    return std::nullopt;
  }
  const size_t dot = id.rfind('.', last - 1);
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view seq = id.substr(dot + 1, last - dot - 1);
  if (!all_digits(seq)) return std::nullopt;
  ObservationSource source{std::string(id.substr(0, dot)), 0};
  std::from_chars(seq.data(), seq.data() + seq.size(), source.seq);
  return source;
}

std::vector<Observation> NormalizeReading(const Reading& reading, const std::string& patient_id,
                                          const std::string& device_id, int64_t issued_ms) {
  std::vector<Observation> out;
  std::vector<bool> used(reading.measurements.size(), false);
  for (size_t i = 0; i < reading.measurements.size(); ++i) {
    if (used[i]) continue;
    used[i] = true;
    const Measurement& m = reading.measurements[i];
    Observation obs;
    obs.id = device_id + "." + std::to_string(reading.seq) + "." + std::to_string(out.size());
    obs.patient_id = patient_id;
    obs.device_id = device_id;
    obs.effective_ms = m.effective_ms;
    obs.seq = reading.seq;
    obs.issued_ms = issued_ms;
    const int partner = FindBloodPressurePartner(reading, i, used);
    if (partner >= 0) {
      used[static_cast<size_t>(partner)] = true;
      const Measurement& other = reading.measurements[static_cast<size_t>(partner)];
      const bool systolic_first = m.kind == VitalKind::kSystolicBp;
      obs.code = std::string(kBloodPressurePanelCode);
      obs.measurements = {systolic_first ? m : other, systolic_first ? other : m};
    } else {
      obs.code = std::string(SpecOf(m.kind).loinc);
      obs.measurements = {m};
    }
    out.push_back(std::move(obs));
  }
  return out;
}

void AppendFhirJson(std::string& out, const Observation& observation) {
  if (observation.code == kBloodPressurePanelCode) {
    BloodPressurePanel(out, observation);
  } else if (observation.measurements.empty()) {
    out += "{}";
  } else {
    SingleMeasurement(out, observation, observation.measurements[0]);
  }
}

std::string ToFhirJson(const Observation& observation) {
  std::string out;
  out.reserve(1024);
  AppendFhirJson(out, observation);
  return out;
}

namespace {

// The codes of a FHIR token search value: comma-separated, each optionally "system|code" with
// `system` the one allowed (`refusal` says so of another). Empty codes are left out.
Result<std::vector<std::string_view>> TokenCodes(std::string_view value, std::string_view system,
                                                 std::string_view refusal) {
  std::vector<std::string_view> codes;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t comma = value.find(',', start);
    std::string_view code = value.substr(start, comma - start);
    if (const size_t bar = code.find('|'); bar != std::string_view::npos) {
      if (code.substr(0, bar) != system) return Status::InvalidArgument(std::string(refusal));
      code = code.substr(bar + 1);
    }
    if (!code.empty()) codes.push_back(code);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return codes;
}

}  // namespace

Result<std::vector<std::string>> SearchedLoincCodes(std::string_view value) {
  VIGIL_ASSIGN_OR_RETURN(auto tokens, TokenCodes(value, "http://loinc.org",
                                                 "code: only LOINC (http://loinc.org) codes"));
  std::vector<std::string> codes;
  for (std::string_view code : tokens) codes.emplace_back(PrimaryLoincCode(code));
  return codes;
}

Result<std::vector<std::string>> CodesOfCategory(std::string_view value) {
  VIGIL_ASSIGN_OR_RETURN(auto categories, TokenCodes(value, kCategorySystem,
                                                     "category: only observation-category codes (" +
                                                         std::string(kCategorySystem) + ")"));
  std::vector<std::string> codes;
  for (std::string_view category : categories) {
    const bool vital_signs = category == "vital-signs", laboratory = category == "laboratory";
    for (size_t k = 0; k <= static_cast<size_t>(VitalKind::kBodyWeight); ++k) {
      const auto kind = static_cast<VitalKind>(k);
      const bool lab = kind == VitalKind::kBloodGlucose;
      if ((lab && laboratory) || (!lab && vital_signs)) codes.emplace_back(SpecOf(kind).loinc);
    }
    if (vital_signs) codes.emplace_back(kBloodPressurePanelCode);
  }
  return codes;
}

std::string_view PrimaryLoincCode(std::string_view code) {
  if (code == kArterialSpo2Code) return SpecOf(VitalKind::kSpo2).loinc;
  return code;
}

}  // namespace vigil::model
