#include "model/observation.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace vigil::model {
namespace {

using nlohmann::json;

constexpr const char* kLoinc = "http://loinc.org";
constexpr const char* kUcum = "http://unitsofmeasure.org";

double Rounded(double v) { return std::round(v * 100.0) / 100.0; }

json CodeableConcept(std::string_view code, std::string_view display) {
  return {{"coding", json::array({{{"system", kLoinc}, {"code", code}, {"display", display}}})},
          {"text", display}};
}

json Quantity(const VitalSpec& spec, double value) {
  return {{"value", Rounded(value)},
          {"unit", spec.unit_display},
          {"system", kUcum},
          {"code", spec.ucum}};
}

json Category(VitalKind kind) {
  const bool lab = kind == VitalKind::kBloodGlucose;
  const char* code = lab ? "laboratory" : "vital-signs";
  const char* display = lab ? "Laboratory" : "Vital Signs";
  return json::array(
      {{{"coding",
         json::array({{{"system", "http://terminology.hl7.org/CodeSystem/observation-category"},
                       {"code", code},
                       {"display", display}}})},
        {"text", display}}});
}

json Skeleton(const Observation& obs, VitalKind category_kind, int64_t issued_ms) {
  return {{"resourceType", "Observation"},
          {"id", obs.id},
          {"status", "final"},
          {"category", Category(category_kind)},
          {"subject", {{"reference", "Patient/" + obs.patient_id}}},
          {"effectiveDateTime", FormatRfc3339Millis(obs.effective_ms)},
          {"issued", FormatRfc3339Millis(issued_ms)},
          {"device", {{"reference", "Device/" + obs.device_id}}}};
}

json SingleMeasurement(const Observation& obs, const Measurement& m, int64_t issued_ms) {
  const VitalSpec& spec = SpecOf(m.kind);
  json out = Skeleton(obs, m.kind, issued_ms);
  if (!spec.fhir_profile.empty()) out["meta"] = {{"profile", json::array({spec.fhir_profile})}};
  json code = CodeableConcept(spec.loinc, spec.display);
  if (m.kind == VitalKind::kSpo2) {  // the oxygensat profile also asks for 2708-6
    code["coding"].push_back(
        {{"system", kLoinc}, {"code", "2708-6"}, {"display", "Oxygen saturation in Arterial blood"}});
  }
  out["code"] = std::move(code);
  out["valueQuantity"] = Quantity(spec, m.value);
  return out;
}

json BloodPressurePanel(const Observation& obs, const Measurement& sys, const Measurement& dia,
                        int64_t issued_ms) {
  json out = Skeleton(obs, VitalKind::kSystolicBp, issued_ms);
  out["meta"] = {{"profile", json::array({"http://hl7.org/fhir/StructureDefinition/bp"})}};
  out["code"] = CodeableConcept("85354-9", "Blood pressure panel with all children optional");
  json components = json::array();
  for (const Measurement* m : {&sys, &dia}) {
    const VitalSpec& spec = SpecOf(m->kind);
    components.push_back(
        {{"code", CodeableConcept(spec.loinc, spec.display)}, {"valueQuantity", Quantity(spec, m->value)}});
  }
  out["component"] = std::move(components);
  return out;
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
    const int partner = FindBloodPressurePartner(reading, i, used);
    if (partner >= 0) {
      used[static_cast<size_t>(partner)] = true;
      const Measurement& other = reading.measurements[static_cast<size_t>(partner)];
      const bool systolic_first = m.kind == VitalKind::kSystolicBp;
      obs.code = "85354-9";
      obs.fhir_json = BloodPressurePanel(obs, systolic_first ? m : other,
                                         systolic_first ? other : m, issued_ms)
                          .dump();
    } else {
      obs.code = std::string(SpecOf(m.kind).loinc);
      obs.fhir_json = SingleMeasurement(obs, m, issued_ms).dump();
    }
    out.push_back(std::move(obs));
  }
  return out;
}

}  // namespace vigil::model
