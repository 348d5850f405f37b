// Per-patient data keys (DEKs, 256-bit) wrapped by the hub's master key (KEK) with AES-256-GCM
// and stored with the patient. Destroying a patient's wrapped key makes all their sealed records
// unreadable (crypto-erasure). Unwrapped keys are cached in memory and wiped on destruction.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/status.h"
#include "store/device_registry.h"

namespace vigil::store {

class KeyRing {
 public:
  // `master_key` is the 32-byte KEK; the KeyRing keeps a copy and wipes it when destroyed.
  KeyRing(DeviceRegistry& store, std::string master_key);
  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  struct NewDataKey {
    std::string key;      // the data key; a secret
    std::string wrapped;  // the key sealed under the master key, to store with the patient
  };
  // Makes a new data key for a patient. It is not stored: DeviceRegistry::InsertPatient stores
  // `wrapped` together with the patient.
  Result<NewDataKey> MakeDataKey(const std::string& patient_id);

  // The patient's data key; NotFound if none was made (or it was destroyed). Thread-safe.
  Result<std::string> DataKey(const std::string& patient_id);
  // Wipes the cached copy of an erased patient's key (the stored one is gone: PrivacyStore::Erase).
  void Forget(const std::string& patient_id);

  // Seals a small secret of the hub's own (a user's TOTP secret) under the master key, bound
  // to `purpose` (e.g. "totp:alice"); OpenSecret needs the same purpose.
  Result<std::string> SealSecret(std::string_view secret, const std::string& purpose) const;
  Result<std::string> OpenSecret(std::string_view sealed, const std::string& purpose) const;

 private:
  DeviceRegistry& store_;
  std::string master_key_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> cache_;  // patient id -> data key
  // Erased patients: a key unwrapped by a read that raced the erasure is not cached nor given.
  std::unordered_set<std::string> forgotten_;
};

// Reads the 32-byte master key file (created 0600 by `vigil init`); refuses a file that others
// can read.
Result<std::string> LoadMasterKey(const std::string& path);

}  // namespace vigil::store
