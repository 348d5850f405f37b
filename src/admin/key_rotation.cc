#include "admin/key_rotation.h"

#include <cstdio>

#include "access/auth_service.h"
#include "core/clock.h"
#include "core/files.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "events/audit_records.h"

namespace vigil::admin {

Result<RotationResult> RotateMasterKey(AdminHub& hub) {
  const std::string path = hub.layout.master_key(), next_path = path + ".next";
  VIGIL_ASSIGN_OR_RETURN(std::string old_key, store::LoadMasterKey(path));
  RotationResult result;
  std::string new_key;
  if (PathExists(next_path)) {  // a rotation stopped half way: finish it with its key
    VIGIL_ASSIGN_OR_RETURN(new_key, store::LoadMasterKey(next_path));
    result.resumed = true;
  } else {
    VIGIL_ASSIGN_OR_RETURN(new_key, crypto::RandomBytes(crypto::kAeadKeyBytes));
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(next_path, new_key, 0600));
  }
  // Each row under the old key is rewrapped; one already under the new key (a resumed
  // rotation, or the sweep after the rename) is kept as it is.
  bool tolerate_new = result.resumed;
  const auto rewrap = [&](std::string_view kind, const std::string& id,
                          const std::string& sealed) -> Result<std::string> {
    const bool patient = kind == "patient";
    const std::string purpose = access::TotpPurpose(id);
    auto moved = patient ? store::RewrapDataKey(old_key, new_key, id, sealed)
                         : store::RewrapSecret(old_key, new_key, purpose, sealed);
    if (moved.ok() || !tolerate_new) return moved;
    auto already = patient ? store::RewrapDataKey(new_key, new_key, id, sealed)
                           : store::RewrapSecret(new_key, new_key, purpose, sealed);
    if (!already.ok()) return moved.status();
    return sealed;
  };
  auto counts = hub.store->RewrapSecrets(rewrap);
  if (counts.ok() && std::rename(next_path.c_str(), path.c_str()) != 0) {
    counts = Status::IoError("the keys were rewrapped, but " + next_path + " could not replace " +
                             path + ": run the rotation again to finish it");
  }
  if (counts.ok()) {
    result.data_keys = counts->first;
    result.secrets = counts->second;
    // A key wrapped by a process that read the old file before the rotation began and committed
    // after the pass above: swept once more, while the old key is still at hand.
    tolerate_new = true;
    auto swept = hub.store->RewrapSecrets(rewrap);
    if (!swept.ok()) counts = swept.status();
  }
  crypto::Wipe(old_key);
  crypto::Wipe(new_key);
  VIGIL_RETURN_IF_ERROR(counts.status());
  VIGIL_RETURN_IF_ERROR(hub.audit->Append(
      events::Record(SystemClock::Instance().NowMillis(),
                     events::audit::MasterKeyRotated{.by = OperatorIdentity(),
                                                     .data_keys = std::to_string(result.data_keys),
                                                     .secrets = std::to_string(result.secrets)})));
  return result;
}

}  // namespace vigil::admin
