// De-identified data for research (`vigil research export`), by HIPAA's Safe Harbor method
// (45 CFR 164.514(b)(2)): only patients whose consent permits research (per category: vital
// signs, device data), never a restricted or erased one; every identifier of the 18 removed or
// replaced — ids by keyed pseudonyms (HMAC-SHA256 under a secret made for this export and
// discarded after it: two exports cannot be linked), every instant of a patient shifted by the
// same number of days (keyed to the patient, within ±365: intervals within a patient kept,
// across patients random), a birth date reduced to its year and removed for ages over 89, free
// text and anything not known to be safe dropped. Each resource is built from a list of the
// elements allowed, so an element added to Vigil's FHIR output later is dropped, not leaked.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::privacy {

struct ResearchReport {
  int64_t patients = 0;                      // included
  int64_t without_research_consent = 0;      // left out: no consent, or it does not permit research
  int64_t restricted = 0;                    // left out: processing restricted (Art. 18)
  int64_t erased = 0;                        // left out: erased
  std::map<std::string, int64_t> resources;  // by type
  std::map<std::string, int64_t> transformed;  // element -> how many times replaced or shifted
  std::map<std::string, int64_t> removed;      // element -> how many times dropped
};

// The report as JSON: the method, how each of the 18 identifiers is handled, the counts.
std::string ResearchReportJson(const ResearchReport& report);

// Emits each de-identified resource as a JSON text through `line` (type: "Patient", "Device",
// "Observation"), calling `record_read` with each included patient before reading their data
// (to record it). `now_ms` dates ages. Stops at the first error either returns.
Result<ResearchReport> ExportResearchData(
    store::Store& store, store::KeyRing& keys, int64_t now_ms,
    const std::function<Status(const std::string& patient_id)>& record_read,
    const std::function<Status(std::string_view type, std::string_view json)>& line);

}  // namespace vigil::privacy
