#include "model/vitals.h"

#include <array>
#include <cmath>
#include <string>

namespace vigil::model {
namespace {

constexpr std::array<VitalSpec, 8> kSpecs = {{
    {VitalKind::kHeartRate, "heart_rate", "8867-4", "Heart rate", "/min", "beats/minute",
     "http://hl7.org/fhir/StructureDefinition/heartrate", 20, 300},
    {VitalKind::kSpo2, "spo2", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry",
     "%", "%", "http://hl7.org/fhir/StructureDefinition/oxygensat", 50, 100},
    {VitalKind::kRespiratoryRate, "respiratory_rate", "9279-1", "Respiratory rate", "/min",
     "breaths/minute", "http://hl7.org/fhir/StructureDefinition/resprate", 2, 80},
    {VitalKind::kBodyTemperature, "body_temperature", "8310-5", "Body temperature", "Cel", "C",
     "http://hl7.org/fhir/StructureDefinition/bodytemp", 25, 45},
    {VitalKind::kSystolicBp, "systolic_bp", "8480-6", "Systolic blood pressure", "mm[Hg]", "mmHg",
     "", 40, 300},
    {VitalKind::kDiastolicBp, "diastolic_bp", "8462-4", "Diastolic blood pressure", "mm[Hg]",
     "mmHg", "", 20, 200},
    {VitalKind::kBloodGlucose, "blood_glucose", "2339-0", "Glucose [Mass/volume] in Blood", "mg/dL",
     "mg/dL", "", 10, 1000},
    {VitalKind::kBodyWeight, "body_weight", "29463-7", "Body weight", "kg", "kg",
     "http://hl7.org/fhir/StructureDefinition/bodyweight", 0.3, 500},
}};

struct UnitRule {
  VitalKind kind;
  std::string_view unit;
  double scale;  // canonical = value * scale + offset
  double offset;
};

// Accepted input units. UCUM codes first; the plain spellings devices commonly send after.
constexpr std::array<UnitRule, 15> kUnits = {{
    {VitalKind::kHeartRate, "/min", 1, 0},
    {VitalKind::kSpo2, "%", 1, 0},
    {VitalKind::kRespiratoryRate, "/min", 1, 0},
    {VitalKind::kBodyTemperature, "Cel", 1, 0},
    {VitalKind::kBodyTemperature, "[degF]", 5.0 / 9.0, -32.0 * 5.0 / 9.0},
    {VitalKind::kBodyTemperature, "degF", 5.0 / 9.0, -32.0 * 5.0 / 9.0},
    {VitalKind::kBodyTemperature, "K", 1, -273.15},
    {VitalKind::kSystolicBp, "mm[Hg]", 1, 0},
    {VitalKind::kDiastolicBp, "mm[Hg]", 1, 0},
    {VitalKind::kBloodGlucose, "mg/dL", 1, 0},
    // Glucose molar mass 180.156 g/mol: 1 mmol/L = 18.0156 mg/dL.
    {VitalKind::kBloodGlucose, "mmol/L", 18.0156, 0},
    {VitalKind::kBodyWeight, "kg", 1, 0},
    {VitalKind::kBodyWeight, "g", 0.001, 0},
    {VitalKind::kBodyWeight, "[lb_av]", 0.45359237, 0},
    {VitalKind::kBodyWeight, "lb", 0.45359237, 0},
}};

std::string FormatLimit(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

const VitalSpec& SpecOf(VitalKind kind) { return kSpecs[static_cast<size_t>(kind)]; }

std::optional<VitalKind> FindVitalByName(std::string_view name) {
  for (const auto& spec : kSpecs) {
    if (spec.name == name) return spec.kind;
  }
  return std::nullopt;
}

Result<double> ToCanonicalUnit(VitalKind kind, double value, std::string_view unit) {
  if (!std::isfinite(value)) {
    return Status::InvalidArgument(std::string(SpecOf(kind).name) +
                                   " value is not a finite number");
  }
  std::string accepted;
  for (const auto& rule : kUnits) {
    if (rule.kind != kind) continue;
    if (rule.unit == unit) return value * rule.scale + rule.offset;
    if (!accepted.empty()) accepted += ", ";
    accepted += rule.unit;
  }
  return Status::InvalidArgument("unit not accepted for " + std::string(SpecOf(kind).name) +
                                 " (accepted: " + accepted + ")");
}

Status CheckPlausible(VitalKind kind, double canonical_value) {
  const auto& spec = SpecOf(kind);
  if (canonical_value < spec.min || canonical_value > spec.max) {
    return Status::InvalidArgument(std::string(spec.name) + " outside the plausible range " +
                                   FormatLimit(spec.min) + ".." + FormatLimit(spec.max) + " " +
                                   std::string(spec.ucum));
  }
  return Status::Ok();
}

}  // namespace vigil::model
