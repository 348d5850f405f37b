#include "store/sqlite/sqlite_alerts.h"

namespace vigil::store::sqlite {
namespace {

constexpr std::string_view kAlertTable = R"sql(
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  entity TEXT NOT NULL,
  technique TEXT NOT NULL,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL,
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX alerts_by_status ON alerts(status, id);
)sql";

constexpr std::string_view kIncidentTables = R"sql(
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  entities TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX incidents_by_status ON incidents(status, id);
CREATE TABLE incident_events (
  incident_id INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  what TEXT NOT NULL,
  detail TEXT NOT NULL,
  alert_id INTEGER NOT NULL DEFAULT 0);
CREATE INDEX incident_events_by_incident ON incident_events(incident_id, time_ms);
ALTER TABLE alerts ADD COLUMN incident_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX alerts_by_incident ON alerts(incident_id, id);
)sql";

constexpr std::string_view kAddressBlockTable = R"sql(
CREATE TABLE IF NOT EXISTS address_blocks (
  address TEXT PRIMARY KEY,
  since_ms INTEGER NOT NULL,
  until_ms INTEGER NOT NULL,
  reason TEXT NOT NULL) WITHOUT ROWID;
)sql";

constexpr std::string_view kMonitoringNoticeTable = R"sql(
CREATE TABLE IF NOT EXISTS monitoring_notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  patient_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  text TEXT NOT NULL,
  since_ms INTEGER NOT NULL,
  until_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS monitoring_notices_by_patient ON monitoring_notices(patient_id, id);
)sql";

constexpr std::string_view kColumns =
    "SELECT id, kind, severity, entity, technique, summary, evidence, first_ms, last_ms, count,"
    " status, note, incident_id FROM alerts";

constexpr std::string_view kIncidentColumns =
    "SELECT id, title, severity, status, first_ms, last_ms, entities, note FROM incidents";

AlertRecord ReadAlert(const Statement& st) {
  return {st.Int(0), st.Text(1), st.Text(2), st.Text(3),  st.Text(4),  st.Text(5), st.Text(6),
          st.Int(7), st.Int(8),  st.Int(9),  st.Text(10), st.Text(11), st.Int(12)};
}

IncidentRecord ReadIncident(const Statement& st) {
  return {st.Int(0),
          st.Text(1),
          st.Text(2),
          st.Text(3),
          st.Int(4),
          st.Int(5),
          SplitEntities(st.Text(6)),
          st.Text(7)};
}

class SqliteAlertStore final : public AlertStore {
 public:
  SqliteAlertStore(Database& db, std::mutex& mu, ReaderPool& readers)
      : db_(db), mu_(mu), readers_(readers) {}

  Result<int64_t> InsertAlert(const AlertRecord& a) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO alerts (kind, severity, entity, technique, summary, evidence,"
                 " first_ms, last_ms, count, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')");
    st.Bind(1, a.kind).Bind(2, a.severity).Bind(3, a.entity).Bind(4, a.technique);
    st.Bind(5, a.summary).Bind(6, a.evidence_json).Bind(7, a.first_ms).Bind(8, a.last_ms);
    st.Bind(9, a.count);
    VIGIL_RETURN_IF_ERROR(st.Run());
    return int64_t{sqlite3_last_insert_rowid(db_.handle())};
  }

  Status UpdateAlert(const AlertRecord& a) override {
    std::lock_guard lock(mu_);
    Statement st(
        db_.handle(),
        "UPDATE alerts SET last_ms = ?, count = ?, evidence = ?, summary = ?, severity = ? "
        "WHERE id = ?");
    st.Bind(1, a.last_ms).Bind(2, a.count).Bind(3, a.evidence_json).Bind(4, a.summary);
    st.Bind(5, a.severity).Bind(6, a.id);
    return st.RunChanging("no alert " + std::to_string(a.id));
  }

  Result<std::optional<AlertRecord>> FindAlert(int64_t id) override {
    return FindRow(readers_, std::string(kColumns) + " WHERE id = ?", ReadAlert, id);
  }

  Result<std::vector<AlertRecord>> ListAlerts(const std::string& status, uint64_t limit) override {
    return ReadRows(
        readers_, std::string(kColumns) + " WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?",
        ReadAlert, status, status, static_cast<int64_t>(limit));
  }

  Status SetAlertStatus(int64_t id, const std::string& status, const std::string& note) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "UPDATE alerts SET status = ?, note = ? WHERE id = ?");
    st.Bind(1, status).Bind(2, note).Bind(3, id);
    return st.RunChanging("no alert " + std::to_string(id));
  }

  Result<int64_t> InsertIncident(const IncidentRecord& i) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO incidents (title, severity, status, first_ms, last_ms, entities)"
                 " VALUES (?, ?, ?, ?, ?, ?)");
    st.Bind(1, i.title).Bind(2, i.severity).Bind(3, i.status).Bind(4, i.first_ms);
    st.Bind(5, i.last_ms).Bind(6, JoinEntities(i.entities));
    VIGIL_RETURN_IF_ERROR(st.Run());
    return int64_t{sqlite3_last_insert_rowid(db_.handle())};
  }

  Status UpdateIncident(const IncidentRecord& i) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "UPDATE incidents SET severity = ?, last_ms = ?, entities = ?, status = ?,"
                 " note = ?, title = ? WHERE id = ?");
    st.Bind(1, i.severity).Bind(2, i.last_ms).Bind(3, JoinEntities(i.entities));
    st.Bind(4, i.status).Bind(5, i.note).Bind(6, i.title).Bind(7, i.id);
    return st.RunChanging("no incident " + std::to_string(i.id));
  }

  Result<std::optional<IncidentRecord>> FindIncident(int64_t id) override {
    return FindRow(readers_, std::string(kIncidentColumns) + " WHERE id = ?", ReadIncident, id);
  }

  Result<std::vector<IncidentRecord>> ListIncidents(const std::string& status,
                                                    uint64_t limit) override {
    return ReadRows(
        readers_,
        std::string(kIncidentColumns) + " WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?",
        ReadIncident, status, status, static_cast<int64_t>(limit));
  }

  Status SetAlertIncident(int64_t alert_id, int64_t incident_id) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "UPDATE alerts SET incident_id = ? WHERE id = ?");
    st.Bind(1, incident_id).Bind(2, alert_id);
    return st.RunChanging("no alert " + std::to_string(alert_id));
  }

  Result<std::vector<AlertRecord>> AlertsOfIncident(int64_t incident_id) override {
    return ReadRows(readers_, std::string(kColumns) + " WHERE incident_id = ? ORDER BY id",
                    ReadAlert, incident_id);
  }

  Status AddIncidentEvent(const IncidentEvent& e) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO incident_events (incident_id, time_ms, what, detail, alert_id)"
                 " VALUES (?, ?, ?, ?, ?)");
    st.Bind(1, e.incident_id).Bind(2, e.time_ms).Bind(3, e.what).Bind(4, e.detail);
    st.Bind(5, e.alert_id);
    return st.Run();
  }

  Result<std::vector<IncidentEvent>> IncidentEvents(int64_t incident_id) override {
    return ReadRows(
        readers_,
        "SELECT incident_id, time_ms, what, detail, alert_id FROM incident_events"
        " WHERE incident_id = ? ORDER BY time_ms, rowid",
        [](const Statement& st) {
          return IncidentEvent{st.Int(0), st.Int(1), st.Text(2), st.Text(3), st.Int(4)};
        },
        incident_id);
  }

  Status PutAddressBlock(const AddressBlockRecord& b) override {
    std::lock_guard lock(mu_);
    Statement expired(db_.handle(), "DELETE FROM address_blocks WHERE until_ms <= ?");
    expired.Bind(1, b.since_ms);
    VIGIL_RETURN_IF_ERROR(expired.Run());
    Statement st(db_.handle(),
                 "INSERT INTO address_blocks (address, since_ms, until_ms, reason)"
                 " VALUES (?, ?, ?, ?) ON CONFLICT (address) DO UPDATE SET"
                 " until_ms = max(until_ms, excluded.until_ms)");
    st.Bind(1, b.address).Bind(2, b.since_ms).Bind(3, b.until_ms).Bind(4, b.reason);
    return st.Run();
  }

  Result<std::vector<AddressBlockRecord>> ListAddressBlocks(int64_t now_ms) override {
    return ReadRows(
        readers_,
        "SELECT address, since_ms, until_ms, reason FROM address_blocks WHERE until_ms > ?"
        " ORDER BY address",
        [](const Statement& st) {
          return AddressBlockRecord{st.Text(0), st.Int(1), st.Int(2), st.Text(3)};
        },
        now_ms);
  }

  Status LiftAddressBlock(const std::string& address, int64_t now_ms) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "DELETE FROM address_blocks WHERE address = ? AND until_ms > ?");
    st.Bind(1, address).Bind(2, now_ms);
    return st.RunChanging("no block on address " + address);
  }

  Result<int64_t> InsertMonitoringNotice(const MonitoringNotice& n) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO monitoring_notices (patient_id, device_id, text, since_ms)"
                 " VALUES (?, ?, ?, ?)");
    st.Bind(1, n.patient_id).Bind(2, n.device_id).Bind(3, n.text).Bind(4, n.since_ms);
    VIGIL_RETURN_IF_ERROR(st.Run());
    return int64_t{sqlite3_last_insert_rowid(db_.handle())};
  }

  Result<int64_t> EndMonitoringNotices(const std::string& device_id, int64_t until_ms) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "UPDATE monitoring_notices SET until_ms = ? WHERE device_id = ? AND until_ms = 0");
    st.Bind(1, until_ms).Bind(2, device_id);
    VIGIL_RETURN_IF_ERROR(st.Run());
    return int64_t{sqlite3_changes(db_.handle())};
  }

  Result<std::vector<MonitoringNotice>> MonitoringNotices(const std::string& patient_id) override {
    return ReadRows(
        readers_,
        "SELECT id, patient_id, device_id, text, since_ms, until_ms FROM monitoring_notices"
        " WHERE patient_id = ? ORDER BY id DESC",
        [](const Statement& st) {
          return MonitoringNotice{st.Int(0),  st.Text(1), st.Text(2),
                                  st.Text(3), st.Int(4),  st.Int(5)};
        },
        patient_id);
  }

  Status PutDetectionState(const std::string& name, const std::string& state,
                           int64_t saved_ms) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO detection_state (name, state, saved_ms) VALUES (?, ?, ?)"
                 " ON CONFLICT (name) DO UPDATE SET state = excluded.state,"
                 " saved_ms = excluded.saved_ms");
    st.Bind(1, name).BindBlob(2, state).Bind(3, saved_ms);
    return st.Run();
  }

  Result<std::optional<std::string>> DetectionState(const std::string& name) override {
    return FindRow(
        readers_, "SELECT state FROM detection_state WHERE name = ?",
        [](const Statement& st) { return st.Blob(0); }, name);
  }

 private:
  Database& db_;
  std::mutex& mu_;
  ReaderPool& readers_;
};

}  // namespace

Status CreateAlertSchema(Database& db) { return db.Exec(kAlertTable); }

Status CreateIncidentSchema(Database& db) { return db.Exec(kIncidentTables); }

Status CreateAddressBlockSchema(Database& db) { return db.Exec(kAddressBlockTable); }

Status CreateMonitoringNoticeSchema(Database& db) { return db.Exec(kMonitoringNoticeTable); }

std::unique_ptr<AlertStore> MakeSqliteAlertStore(Database& db, std::mutex& mu,
                                                 ReaderPool& readers) {
  return std::make_unique<SqliteAlertStore>(db, mu, readers);
}

}  // namespace vigil::store::sqlite
