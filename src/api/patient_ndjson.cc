#include "api/patient_ndjson.h"

#include <algorithm>

#include "api/fhir_resources.h"
#include "model/observation.h"
#include "store/observation_reader.h"
#include "store/sealed_record.h"

namespace vigil::api {
std::string_view ExportTypeName(ExportType type) {
  switch (type) {
    case ExportType::kPatient:
      return "Patient";
    case ExportType::kDevice:
      return "Device";
    case ExportType::kObservation:
      return "Observation";
  }
  return "unknown";
}

Status EmitPatientData(store::Store& store, store::KeyRing& keys, const std::string& patient_id,
                       const PatientExportParts& parts,
                       const std::function<Status(ExportType, std::string_view)>& line,
                       const std::function<void(uint64_t, uint64_t)>& progress) {
  const auto since = [&](int64_t updated_ms) {
    return !parts.since_ms || updated_ms >= *parts.since_ms;
  };
  VIGIL_ASSIGN_OR_RETURN(auto patient, store.FindPatient(patient_id));
  if (!patient) return Status::NotFound("no Patient/" + patient_id);
  if (parts.patient && since(patient->created_ms)) {
    VIGIL_ASSIGN_OR_RETURN(std::string key, keys.DataKey(patient_id));
    VIGIL_ASSIGN_OR_RETURN(std::string demographics,
                           store::OpenDemographics(key, patient_id, patient->sealed_demographics));
    VIGIL_RETURN_IF_ERROR(line(ExportType::kPatient, PatientResource(patient_id, demographics)));
  }
  if (parts.devices) {
    VIGIL_ASSIGN_OR_RETURN(auto devices, store.ListDevices());
    for (const auto& d : devices) {
      if (d.patient_id == patient_id && since(d.enrolled_ms)) {
        VIGIL_RETURN_IF_ERROR(line(ExportType::kDevice, DeviceResource(d)));
      }
    }
  }
  if (!parts.observations) return Status::Ok();
  store::ObservationQuery query;
  query.patient_id = patient_id;
  VIGIL_ASSIGN_OR_RETURN(const uint64_t total, store.CountObservations(query));
  store::ObservationReader reader(store, keys, patient_id);
  Status written = Status::Ok();
  std::string json;
  VIGIL_RETURN_IF_ERROR(reader.VisitAll(
      query,
      [&](const model::Observation& observation) {
        if (!since(observation.issued_ms)) return true;
        json.clear();
        model::AppendFhirJson(json, observation);
        written = line(ExportType::kObservation, json);
        return written.ok();
      },
      [&](uint64_t read) {
        if (progress) progress(std::min(read, total), total);
      }));
  VIGIL_RETURN_IF_ERROR(written);
  return Status::Ok();
}

}  // namespace vigil::api
