// The PostgreSQL store's tables (docs/storage.md): created by `vigil init --store`, checked
// when a hub opens the database. Private to store/postgres.
#pragma once

#include "core/status.h"
#include "store/postgres/pg_connection.h"

namespace vigil::store::pg {

inline constexpr int kSchemaVersion = 5;  // 2: address blocks; 3: suspect readings;
                                          // 4: device activity, integrity checks;
                                          // 5: patients' flags and erasures

// Creates every table in one transaction. AlreadyExists if the database holds a hub already.
Status CreateSchema(Connection& conn);

// Brings a hub's tables of an older schema version to this one (under the creators' advisory
// lock: one of several hubs starting at once does it). Ok, doing nothing, for a database that
// holds no hub or a newer one (CheckSchema says what is wrong with those).
Status MigrateSchema(Connection& conn);

// Ok if the database holds a hub of this schema version; NotFound if it holds none,
// FailedPrecondition for another version.
Status CheckSchema(Connection& conn, const std::string& where);

}  // namespace vigil::store::pg
