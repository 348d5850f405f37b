// One patient's data as FHIR R4 resources, a JSON text each — their Patient, Devices and
// Observations (oldest first, read page by page) — for the NDJSON exports: `vigil patient export`
// and the Bulk Data `$export` jobs. It reads and renders; the caller authorizes, records and
// writes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::api {

enum class ExportType { kPatient, kDevice, kObservation };
std::string_view ExportTypeName(ExportType type);  // "Patient", "Device", "Observation"

struct PatientExportParts {
  bool patient = true, devices = true, observations = true;
  std::optional<int64_t> since_ms;  // only what changed since (added; an Observation: received)
};

// Calls `line` with each resource of `patient_id` that `parts` asks for, and `progress` with
// the Observations read so far after each page (of `total`, counted first). Stops at the first
// error `line` returns.
Status EmitPatientData(store::Store& store, store::KeyRing& keys, const std::string& patient_id,
                       const PatientExportParts& parts,
                       const std::function<Status(ExportType, std::string_view)>& line,
                       const std::function<void(uint64_t read, uint64_t total)>& progress = {});

}  // namespace vigil::api
