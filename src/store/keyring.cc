#include "store/keyring.h"

#include <sys/stat.h>

#include "core/files.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"

namespace vigil::store {
namespace {

std::string WrapAad(const std::string& patient_id) {
  return std::string("vigil.dek.v1") + '\0' + patient_id;
}

}  // namespace

KeyRing::KeyRing(DeviceRegistry& store, std::string master_key)
    : store_(store), master_key_(std::move(master_key)) {}

KeyRing::~KeyRing() {
  crypto::Wipe(master_key_);
  for (auto& [id, key] : cache_) crypto::Wipe(key);
}

Result<KeyRing::NewDataKey> KeyRing::MakeDataKey(const std::string& patient_id) {
  NewDataKey out;
  VIGIL_ASSIGN_OR_RETURN(out.key, crypto::RandomBytes(crypto::kAeadKeyBytes));
  VIGIL_ASSIGN_OR_RETURN(out.wrapped, crypto::AeadSeal(master_key_, out.key, WrapAad(patient_id)));
  return out;
}

Result<std::string> KeyRing::SealSecret(std::string_view secret, const std::string& purpose) const {
  return crypto::AeadSeal(master_key_, secret, "vigil-secret-v1:" + purpose);
}

Result<std::string> KeyRing::OpenSecret(std::string_view sealed, const std::string& purpose) const {
  auto secret = crypto::AeadOpen(master_key_, sealed, "vigil-secret-v1:" + purpose);
  if (!secret.ok()) return Status::DataLoss("the sealed secret for " + purpose + " does not open");
  return secret;
}

Result<std::string> KeyRing::DataKey(const std::string& patient_id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(patient_id); it != cache_.end()) return it->second;
  }
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> wrapped, store_.FindPatientKey(patient_id));
  if (!wrapped) return Status::NotFound("no data key for patient " + patient_id);
  auto key = crypto::AeadOpen(master_key_, *wrapped, WrapAad(patient_id));
  if (!key.ok()) return Status::DataLoss("data key of patient " + patient_id + " does not unwrap");
  std::lock_guard lock(mu_);
  if (forgotten_.count(patient_id)) {
    crypto::Wipe(*key);
    return Status::NotFound("no data key for patient " + patient_id + " (erased)");
  }
  cache_[patient_id] = *key;
  return key;
}

void KeyRing::Forget(const std::string& patient_id) {
  std::lock_guard lock(mu_);
  forgotten_.insert(patient_id);
  if (auto it = cache_.find(patient_id); it != cache_.end()) {
    crypto::Wipe(it->second);
    cache_.erase(it);
  }
}

Result<std::string> LoadMasterKey(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::NotFound("no master key at " + path);
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("master key " + path + " is readable by others; chmod 600 it");
  }
  VIGIL_ASSIGN_OR_RETURN(std::string key, ReadFile(path));
  if (key.size() != crypto::kAeadKeyBytes) {
    return Status::DataLoss("master key " + path + " is not 32 bytes");
  }
  return key;
}

}  // namespace vigil::store
