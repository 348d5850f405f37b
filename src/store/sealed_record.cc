#include "store/sealed_record.h"

#include "crypto/aead.h"

namespace vigil::store {
namespace {

constexpr char kVersion1 = 0x01;

// Fields joined with NUL bytes, which no id, code or number contains.
std::string ObservationAad(const std::string& id, const std::string& patient,
                           const std::string& device, const std::string& code, int64_t effective_ms,
                           uint64_t seq) {
  std::string aad = "vigil.observation.v1";
  for (const std::string& part :
       {id, patient, device, code, std::to_string(effective_ms), std::to_string(seq)}) {
    aad.push_back('\0');
    aad += part;
  }
  return aad;
}

std::string DemographicsAad(const std::string& patient_id) {
  return std::string("vigil.patient.v1") + '\0' + patient_id;
}

Result<std::string> Seal(const std::string& key, const std::string& plaintext,
                         const std::string& aad) {
  VIGIL_ASSIGN_OR_RETURN(std::string body, crypto::AeadSeal(key, plaintext, aad));
  return std::string(1, kVersion1) + body;
}

Result<std::string> Open(const std::string& key, const std::string& sealed,
                         const std::string& aad) {
  if (sealed.empty() || sealed[0] != kVersion1) {
    return Status::DataLoss("sealed record has an unknown version");
  }
  return crypto::AeadOpen(key, std::string_view(sealed).substr(1), aad);
}

}  // namespace

Result<SealedObservation> SealObservation(const std::string& data_key,
                                          const model::Observation& o) {
  SealedObservation row{o.id, o.patient_id, o.device_id, o.code, o.effective_ms, o.seq, {}};
  VIGIL_ASSIGN_OR_RETURN(row.sealed, Seal(data_key, o.fhir_json,
                                          ObservationAad(o.id, o.patient_id, o.device_id, o.code,
                                                         o.effective_ms, o.seq)));
  return row;
}

Result<std::string> OpenObservation(const std::string& data_key, const SealedObservation& row) {
  return Open(
      data_key, row.sealed,
      ObservationAad(row.id, row.patient_id, row.device_id, row.code, row.effective_ms, row.seq));
}

Result<std::string> SealDemographics(const std::string& data_key, const std::string& patient_id,
                                     const std::string& demographics_json) {
  return Seal(data_key, demographics_json, DemographicsAad(patient_id));
}

Result<std::string> OpenDemographics(const std::string& data_key, const std::string& patient_id,
                                     const std::string& sealed) {
  return Open(data_key, sealed, DemographicsAad(patient_id));
}

}  // namespace vigil::store
