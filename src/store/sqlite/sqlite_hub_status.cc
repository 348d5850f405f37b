#include "store/sqlite/sqlite_hub_status.h"

namespace vigil::store::sqlite {

Status CreateHubStatusSchema(Database& db) {
  return db.Exec(
      "CREATE TABLE IF NOT EXISTS device_activity (device_id TEXT PRIMARY KEY, last_seen_ms "
      "INTEGER NOT NULL,"
      " cert_not_after_ms INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS integrity_checks (id INTEGER PRIMARY KEY AUTOINCREMENT,"
      " checked_ms INTEGER NOT NULL, ledger_size INTEGER NOT NULL, root_hex TEXT NOT NULL,"
      " checked_by TEXT NOT NULL);");
}

Status UpsertDeviceActivity(Database& db, const DeviceActivity& a) {
  auto held = db.Prepared(
      "INSERT INTO device_activity (device_id, last_seen_ms, cert_not_after_ms) VALUES (?, ?, ?)"
      " ON CONFLICT (device_id) DO UPDATE SET"
      " last_seen_ms = max(last_seen_ms, excluded.last_seen_ms),"
      " cert_not_after_ms = CASE WHEN excluded.cert_not_after_ms > 0"
      " THEN excluded.cert_not_after_ms ELSE cert_not_after_ms END");
  Statement& st = *held;
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, a.device_id).Bind(2, a.last_seen_ms).Bind(3, a.cert_not_after_ms);
  return st.Run();
}

Result<std::vector<DeviceActivity>> ListDeviceActivity(ReaderPool& readers) {
  return ReadRows(
      readers,
      "SELECT device_id, last_seen_ms, cert_not_after_ms FROM device_activity ORDER BY device_id",
      [](const Statement& st) {
        return DeviceActivity{st.Text(0), st.Int(1), st.Int(2)};
      });
}

Status InsertIntegrityCheck(Database& db, const IntegrityCheck& c) {
  auto held = db.Prepared(
      "INSERT INTO integrity_checks (checked_ms, ledger_size, root_hex, checked_by)"
      " VALUES (?, ?, ?, ?)");
  Statement& st = *held;
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, c.checked_ms).Bind(2, static_cast<int64_t>(c.ledger_size)).Bind(3, c.root_hex);
  st.Bind(4, c.by);
  return st.Run();
}

Result<std::optional<IntegrityCheck>> LatestIntegrityCheck(ReaderPool& readers) {
  return FindRow(
      readers,
      "SELECT checked_ms, ledger_size, root_hex, checked_by FROM integrity_checks"
      " ORDER BY id DESC LIMIT 1",
      [](const Statement& st) {
        return IntegrityCheck{st.Int(0), static_cast<uint64_t>(st.Int(1)), st.Text(2), st.Text(3)};
      });
}

}  // namespace vigil::store::sqlite
