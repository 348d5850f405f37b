// Per-patient data keys (DEKs, 256-bit) wrapped by the hub's master key (KEK) with AES-256-GCM
// and stored with the patient. Destroying a patient's wrapped key makes all their sealed records
// unreadable (crypto-erasure). Unwrapped keys are cached in memory and wiped on destruction.
#pragma once

#include <functional>
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
  // `master_path`, if given, is the file it came from: when a wrapped key or secret does not
  // open (the master key was rotated meanwhile: `vigil keys rotate-master`), the KeyRing reads
  // that file and `<master_path>.next` again and takes the key that opens it.
  KeyRing(DeviceRegistry& store, std::string master_key, std::string master_path = {});
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
  Result<std::string> SealSecret(std::string_view secret, const std::string& purpose);
  Result<std::string> OpenSecret(std::string_view sealed, const std::string& purpose);

 private:
  // The master key in use (a copy), or, when `opens` fails with it, the first of the key files
  // that `opens` accepts (then kept); DataLoss if none does.
  Result<std::string> MasterFor(const std::function<bool(const std::string&)>& opens);
  // The key new wraps are made under (a copy): the files' newest, when there are files.
  std::string CurrentMaster();

  DeviceRegistry& store_;
  std::string master_key_;  // under mu_
  const std::string master_path_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> cache_;  // patient id -> data key
  // Erased patients: a key unwrapped by a read that raced the erasure is not cached nor given.
  std::unordered_set<std::string> forgotten_;
};

// A data key wrapped under `from` (the master key before a rotation) wrapped under `to` instead;
// DataLoss if `from` does not open it.
Result<std::string> RewrapDataKey(std::string_view from, std::string_view to,
                                  const std::string& patient_id, std::string_view wrapped);
// The same for a secret sealed under the master key for `purpose` (KeyRing::SealSecret).
Result<std::string> RewrapSecret(std::string_view from, std::string_view to,
                                 const std::string& purpose, std::string_view sealed);

// Reads the 32-byte master key file (created 0600 by `vigil init`); refuses a file that others
// can read.
Result<std::string> LoadMasterKey(const std::string& path);

}  // namespace vigil::store
