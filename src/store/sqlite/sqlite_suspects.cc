#include "store/sqlite/sqlite_suspects.h"

namespace vigil::store::sqlite {

Status CreateSuspectSchema(Database& db) {
  return db.Exec(R"sql(
CREATE TABLE IF NOT EXISTS suspect_readings (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  patient_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (device_id, seq));
CREATE INDEX IF NOT EXISTS suspect_readings_by_patient ON suspect_readings(patient_id);
CREATE TABLE IF NOT EXISTS detection_state (
  name TEXT PRIMARY KEY,
  state BLOB NOT NULL,
  saved_ms INTEGER NOT NULL);
)sql");
}

Status InsertSuspect(Database& db, const std::string& patient_id, const std::string& device_id,
                     uint64_t seq, const std::string& reason) {
  auto held = db.Prepared(
      "INSERT INTO suspect_readings (device_id, seq, patient_id, reason) VALUES (?, ?, ?, ?)"
      " ON CONFLICT DO NOTHING");
  Statement& st = *held;
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, device_id).Bind(2, static_cast<int64_t>(seq)).Bind(3, patient_id).Bind(4, reason);
  return st.Run();
}

Result<std::vector<SuspectReading>> SuspectReadings(ReaderPool& readers,
                                                    const std::string& patient_id) {
  return ReadRows(
      readers,
      "SELECT device_id, seq, reason FROM suspect_readings WHERE patient_id = ?"
      " ORDER BY device_id, seq",
      [](const Statement& st) {
        return SuspectReading{st.Text(0), static_cast<uint64_t>(st.Int(1)), st.Text(2)};
      },
      patient_id);
}

}  // namespace vigil::store::sqlite
