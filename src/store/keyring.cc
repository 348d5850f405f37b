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

KeyRing::KeyRing(DeviceRegistry& store, std::string master_key, std::string master_path)
    : store_(store), master_key_(std::move(master_key)), master_path_(std::move(master_path)) {}

KeyRing::~KeyRing() {
  crypto::Wipe(master_key_);
  for (auto& [id, key] : cache_) crypto::Wipe(key);
}

Result<std::string> KeyRing::MasterFor(const std::function<bool(const std::string&)>& opens) {
  std::lock_guard lock(mu_);
  if (opens(master_key_)) return master_key_;
  if (!master_path_.empty()) {
    for (const std::string& path : {master_path_, master_path_ + ".next"}) {
      auto candidate = LoadMasterKey(path);
      if (!candidate.ok() || *candidate == master_key_ || !opens(*candidate)) continue;
      crypto::Wipe(master_key_);
      master_key_ = *std::move(candidate);  // rotated: the new key from now on
      return master_key_;
    }
  }
  return Status::DataLoss("the master key does not open it");
}

std::string KeyRing::CurrentMaster() {
  std::lock_guard lock(mu_);
  if (!master_path_.empty()) {
    // A rotation under way (.next) or done (the file) since this key ring was made: wrap under
    // the new key, or the wrapped key would be left under one about to be destroyed.
    auto next = LoadMasterKey(master_path_ + ".next");
    auto latest = next.ok() ? std::move(next) : LoadMasterKey(master_path_);
    if (latest.ok() && *latest != master_key_) {
      crypto::Wipe(master_key_);
      master_key_ = *std::move(latest);
    }
  }
  return master_key_;
}

Result<KeyRing::NewDataKey> KeyRing::MakeDataKey(const std::string& patient_id) {
  NewDataKey out;
  std::string master = CurrentMaster();
  VIGIL_ASSIGN_OR_RETURN(out.key, crypto::RandomBytes(crypto::kAeadKeyBytes));
  auto wrapped = crypto::AeadSeal(master, out.key, WrapAad(patient_id));
  crypto::Wipe(master);
  VIGIL_ASSIGN_OR_RETURN(out.wrapped, std::move(wrapped));
  return out;
}

Result<std::string> KeyRing::SealSecret(std::string_view secret, const std::string& purpose) {
  std::string master = CurrentMaster();
  auto sealed = crypto::AeadSeal(master, secret, "vigil-secret-v1:" + purpose);
  crypto::Wipe(master);
  return sealed;
}

Result<std::string> KeyRing::OpenSecret(std::string_view sealed, const std::string& purpose) {
  const std::string aad = "vigil-secret-v1:" + purpose;
  auto master =
      MasterFor([&](const std::string& key) { return crypto::AeadOpen(key, sealed, aad).ok(); });
  if (!master.ok()) {
    return Status::DataLoss("the sealed secret for " + purpose + " does not open");
  }
  auto secret = crypto::AeadOpen(*master, sealed, aad);
  crypto::Wipe(*master);
  return secret;
}

Result<std::string> KeyRing::DataKey(const std::string& patient_id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(patient_id); it != cache_.end()) return it->second;
  }
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> wrapped, store_.FindPatientKey(patient_id));
  if (!wrapped) return Status::NotFound("no data key for patient " + patient_id);
  const std::string aad = WrapAad(patient_id);
  auto master =
      MasterFor([&](const std::string& k) { return crypto::AeadOpen(k, *wrapped, aad).ok(); });
  if (!master.ok())
    return Status::DataLoss("data key of patient " + patient_id + " does not unwrap");
  auto key = crypto::AeadOpen(*master, *wrapped, aad);
  crypto::Wipe(*master);
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

Result<std::string> RewrapDataKey(std::string_view from, std::string_view to,
                                  const std::string& patient_id, std::string_view wrapped) {
  const std::string aad = WrapAad(patient_id);
  auto key = crypto::AeadOpen(from, wrapped, aad);
  if (!key.ok()) return Status::DataLoss("data key of patient " + patient_id + " does not unwrap");
  auto rewrapped = crypto::AeadSeal(to, *key, aad);
  crypto::Wipe(*key);
  return rewrapped;
}

Result<std::string> RewrapSecret(std::string_view from, std::string_view to,
                                 const std::string& purpose, std::string_view sealed) {
  const std::string aad = "vigil-secret-v1:" + purpose;
  auto secret = crypto::AeadOpen(from, sealed, aad);
  if (!secret.ok()) return Status::DataLoss("the sealed secret for " + purpose + " does not open");
  auto resealed = crypto::AeadSeal(to, *secret, aad);
  crypto::Wipe(*secret);
  return resealed;
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
