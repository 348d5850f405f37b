// FHIR R4 Observations made from a validated Reading: one per measurement, except that a
// systolic and a diastolic pressure taken at the same time make one blood-pressure panel
// (LOINC 85354-9) with two components, as the vital-signs profile asks.
//
// An Observation is kept compact (ids, code, times, canonical values); its FHIR JSON is rendered
// when it is read, so the ingest hot path neither builds nor stores JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/reading.h"

namespace vigil::model {

inline constexpr std::string_view kBloodPressurePanelCode = "85354-9";

struct Observation {
  std::string id;  // "<device>.<seq>.<n>": unique, and the same if the message is resent
  std::string patient_id;
  std::string device_id;
  std::string code;  // LOINC code of the Observation
  int64_t effective_ms = 0;
  uint64_t seq = 0;
  int64_t issued_ms = 0;  // when the hub received it
  // One measurement; for the blood-pressure panel, the systolic then the diastolic pressure.
  std::vector<Measurement> measurements;
  // Why the hub doubts the values ("value_drift", "clone", ... : store::SuspectReading), empty
  // when it does not: rendered as the security label "uncertain reliability" (meta.security,
  // v3-ObservationValue UNCERTREL) and the reason as a tag (system urn:vigil:suspect), so that
  // clinicians check the patient before acting on the values.
  std::string suspect;
};

// Builds the Observations for `reading`, in measurement order. `issued_ms` is the hub's time of
// receipt (Observation.issued).
std::vector<Observation> NormalizeReading(const Reading& reading, const std::string& patient_id,
                                          const std::string& device_id, int64_t issued_ms);

// The message an Observation id names ("<device>.<seq>.<n>", as NormalizeReading makes it):
// its device and sequence number. Read from the right, since a device id may hold dots;
// nullopt for anything else.
struct ObservationSource {
  std::string device_id;
  uint64_t seq = 0;
};
std::optional<ObservationSource> SourceOfObservationId(std::string_view id);

// The FHIR R4 Observation resource, compact JSON (vital-signs profiles, LOINC, UCUM).
std::string ToFhirJson(const Observation& observation);

// The LOINC code an Observation is stored (and searched) under, for any LOINC code its
// Observation.code carries: 2708-6, which SpO2 Observations carry beside 59408-5 (the FHIR
// oxygensat profile asks for both), is 59408-5; every other code is itself.
std::string_view PrimaryLoincCode(std::string_view code);

// The stored codes a FHIR token search value asks for: comma-separated LOINC codes, each
// optionally "http://loinc.org|code", each as PrimaryLoincCode says (so a search matches any
// coding an Observation carries). InvalidArgument for another system.
Result<std::vector<std::string>> SearchedLoincCodes(std::string_view value);
// The stored codes of the Observations in a FHIR `category` search value (comma-separated
// observation-category codes, each optionally with its system
// http://terminology.hl7.org/CodeSystem/observation-category): "vital-signs" (every kind but
// blood glucose, and the blood-pressure panel) and "laboratory" (blood glucose). Another code
// matches nothing (an empty list); InvalidArgument for another system.
Result<std::vector<std::string>> CodesOfCategory(std::string_view value);
// The same, appended to `out` (a Bundle being written).
void AppendFhirJson(std::string& out, const Observation& observation);

}  // namespace vigil::model
