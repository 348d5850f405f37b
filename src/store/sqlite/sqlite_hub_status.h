// What the hub observes of its devices and of itself, in SQLite (schema version 13): when each
// device was last heard from and until when its certificate is valid (DeviceActivity), and the
// `vigil verify` runs that passed (IntegrityCheck). Used by SqliteStore; writes run inside the
// caller's transaction.
#pragma once

#include <optional>
#include <vector>

#include "core/status.h"
#include "store/device_registry.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace vigil::store::sqlite {

Status CreateHubStatusSchema(Database& db);

// As DeviceRegistry::RecordDeviceActivity, one row each.
Status UpsertDeviceActivity(Database& db, const DeviceActivity& activity);
Result<std::vector<DeviceActivity>> ListDeviceActivity(ReaderPool& readers);

Status InsertIntegrityCheck(Database& db, const IntegrityCheck& check);
Result<std::optional<IntegrityCheck>> LatestIntegrityCheck(ReaderPool& readers);

}  // namespace vigil::store::sqlite
