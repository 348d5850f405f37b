// Rotation of the hub's master key (`vigil keys rotate-master`), with the hub running: a new key
// is written beside the old one (keys/master.key.next), every patient's data key and every
// sealed secret is rewrapped under it in one transaction, then it replaces keys/master.key and
// the rotation is recorded. A running hub that meets a key it cannot open reads both files again
// (store::KeyRing) and goes on with the new key. An interrupted rotation is finished by running
// the command again (rows already under the new key are left as they are).
#pragma once

#include "admin/hub_admin.h"

namespace vigil::admin {

struct RotationResult {
  int64_t data_keys = 0, secrets = 0;
  bool resumed = false;  // an interrupted rotation was finished
};

Result<RotationResult> RotateMasterKey(AdminHub& hub);

}  // namespace vigil::admin
