// The encrypted-record codec. Layout of a SealedRecord (docs/storage.md):
//   version (1 byte, 0x01) || nonce (12) || AES-256-GCM ciphertext || tag (16)
// The associated data is not stored; it is rebuilt from the row's clear columns, so a sealed
// value moved to another row, patient, device, code, time or sequence fails to open.
#pragma once

#include <string>

#include "core/status.h"
#include "model/observation.h"
#include "store/store.h"

namespace vigil::store {

// Seals an Observation's FHIR JSON under the patient's data key.
Result<SealedObservation> SealObservation(const std::string& data_key,
                                          const model::Observation& observation);

// Opens a stored Observation: its FHIR JSON, or DataLoss if anything about the row changed.
Result<std::string> OpenObservation(const std::string& data_key, const SealedObservation& row);

// Seals and opens a patient's demographics (a JSON object) bound to the patient id.
Result<std::string> SealDemographics(const std::string& data_key, const std::string& patient_id,
                                     const std::string& demographics_json);
Result<std::string> OpenDemographics(const std::string& data_key, const std::string& patient_id,
                                     const std::string& sealed);

}  // namespace vigil::store
