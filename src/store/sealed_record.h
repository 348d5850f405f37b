// The encrypted-record codec. Layout of a SealedRecord (docs/storage.md):
//   version (1 byte, 0x01) || nonce (12) || AES-256-GCM ciphertext || tag (16)
// The associated data is not stored; it is rebuilt from the row's clear columns, so a sealed
// value moved to another row, patient, device, code, time or sequence fails to open.
#pragma once

#include <string>

#include "core/status.h"
#include "crypto/aead.h"
#include "model/observation.h"
#include "store/store.h"

namespace vigil::store {

// Seals an Observation's values and time of receipt under the patient's data key. Plaintext
// layout: issued_ms (int64, big-endian) || count (uint8, 1 or 2) || count x (kind (uint8) ||
// value (IEEE-754 double, big-endian)).
Result<SealedObservation> SealObservation(const std::string& data_key,
                                          const model::Observation& observation);

// Opens a stored Observation, or DataLoss if anything about the row changed. Opening many of
// one patient's: ObservationOpener.
Result<model::Observation> OpenObservation(const std::string& data_key,
                                           const SealedObservation& row);

// Opens many of one patient's stored Observations (a page): their data key is expanded once.
class ObservationOpener {
 public:
  explicit ObservationOpener(const std::string& data_key) : aead_(data_key) {}
  ~ObservationOpener();
  // As OpenObservation, into `out`, whose strings' storage is reused (a page opened row after
  // row allocates nothing once the first row has sized them).
  Status OpenInto(const SealedObservationView& row, model::Observation& out);

 private:
  crypto::AeadOpener aead_;
  std::string aad_, plaintext_;  // reused row after row
};

// Seals and opens what the hub learnt of a device's values (its normal per vital sign: health
// data like the readings), bound to the device and its patient, under the patient's data key: an
// erased patient's is unreadable with the rest of their data.
Result<std::string> SealDeviceState(const std::string& data_key, const std::string& patient_id,
                                    const std::string& device_id, const std::string& state);
Result<std::string> OpenDeviceState(const std::string& data_key, const std::string& patient_id,
                                    const std::string& device_id, const std::string& sealed);

// The digest a receipt keeps of a message's payload (to tell a resend from a replay): HMAC-SHA256
// under a key derived from the patient's data key, so that once the key is destroyed nothing
// can confirm a guessed payload against it. 32 bytes.
std::string ReceiptDigest(const std::string& data_key, std::string_view payload);

// Seals and opens a patient's demographics (a JSON object) bound to the patient id.
Result<std::string> SealDemographics(const std::string& data_key, const std::string& patient_id,
                                     const std::string& demographics_json);
Result<std::string> OpenDemographics(const std::string& data_key, const std::string& patient_id,
                                     const std::string& sealed);

}  // namespace vigil::store
