// The SQLite implementation of AccessStore, sharing SqliteStore's connection and mutex.
// Private to store/.
#pragma once

#include <memory>
#include <mutex>

#include "store/access_store.h"
#include "store/sqlite/sqlite_db.h"

namespace vigil::store::sqlite {

// Schema version 3 additions: users, sessions, care teams, consents, reviews, and the ledger
// entries' subject (patient) column.
Status CreateAccessSchema(Database& db);
// Schema version 6: requests to clear a user's login throttle (`vigil user unlock`).
Status CreateUnlockSchema(Database& db);
// Schema version 11: the care team indexed by member (the patients a clinician may search), and
// the accounts a containment playbook holds.
Status CreateCareTeamByMember(Database& db);

// An AccessStore writing through `db`, serialized by `mu`, and reading through `readers` (all
// owned by the caller, which outlives it).
std::unique_ptr<AccessStore> MakeSqliteAccessStore(Database& db, std::mutex& mu,
                                                   ReaderPool& readers);

}  // namespace vigil::store::sqlite
