// The SQLite implementation of AlertStore, sharing SqliteStore's connections. Private to store/.
#pragma once

#include <memory>
#include <mutex>

#include "store/alert_store.h"
#include "store/sqlite/sqlite_db.h"

namespace vigil::store::sqlite {

// Schema version 4: the alerts table.
Status CreateAlertSchema(Database& db);
// Schema version 6: incidents, their timelines, and alerts.incident_id.
Status CreateIncidentSchema(Database& db);
// Schema version 11: address blocks, and notices of monitoring stopped by containment.
Status CreateAddressBlockSchema(Database& db);
Status CreateMonitoringNoticeSchema(Database& db);

std::unique_ptr<AlertStore> MakeSqliteAlertStore(Database& db, std::mutex& mu, ReaderPool& readers);

}  // namespace vigil::store::sqlite
