// The PrivacyStore in SQLite (schema version 14): patients' flags (legal hold, restriction) and
// erasures. Private to store/sqlite.
#pragma once

#include <memory>
#include <mutex>

#include "store/privacy_store.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace vigil::store::sqlite {

Status CreatePrivacySchema(Database& db);

// As Store::RewrapSecrets, inside the caller's write transaction.
Result<std::pair<int64_t, int64_t>> RewrapSecrets(Database& db, const Store::Rewrap& rewrap);

// A PrivacyStore writing through `db`, serialized by `mu`, and reading through `readers` (all
// owned by the caller, which outlives it).
std::unique_ptr<PrivacyStore> MakeSqlitePrivacyStore(Database& db, std::mutex& mu,
                                                     ReaderPool& readers);

}  // namespace vigil::store::sqlite
