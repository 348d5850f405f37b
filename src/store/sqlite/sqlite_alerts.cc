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

constexpr std::string_view kColumns =
    "SELECT id, kind, severity, entity, technique, summary, evidence, first_ms, last_ms, count,"
    " status, note FROM alerts";

AlertRecord ReadAlert(const Statement& st) {
  return {st.Int(0),  st.Text(1), st.Text(2), st.Text(3), st.Text(4),  st.Text(5),
          st.Text(6), st.Int(7),  st.Int(8),  st.Int(9),  st.Text(10), st.Text(11)};
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
        "UPDATE alerts SET last_ms = ?, count = ?, evidence = ?, summary = ? WHERE id = ?");
    st.Bind(1, a.last_ms).Bind(2, a.count).Bind(3, a.evidence_json).Bind(4, a.summary);
    st.Bind(5, a.id);
    return st.RunChanging("no alert " + std::to_string(a.id));
  }

  Result<std::optional<AlertRecord>> FindAlert(int64_t id) override {
    VIGIL_ASSIGN_OR_RETURN(auto reader, readers_.Acquire());
    auto held = reader.db().Prepared(std::string(kColumns) + " WHERE id = ?");
    Statement& st = *held;
    VIGIL_RETURN_IF_ERROR(st.prepared());
    st.Bind(1, id);
    if (!st.Step()) return Checked(st, std::optional<AlertRecord>());
    return std::optional<AlertRecord>(ReadAlert(st));
  }

  Result<std::vector<AlertRecord>> ListAlerts(const std::string& status, uint64_t limit) override {
    VIGIL_ASSIGN_OR_RETURN(auto reader, readers_.Acquire());
    auto held = reader.db().Prepared(std::string(kColumns) +
                                     " WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?");
    Statement& st = *held;
    VIGIL_RETURN_IF_ERROR(st.prepared());
    st.Bind(1, status).Bind(2, status).Bind(3, static_cast<int64_t>(limit));
    std::vector<AlertRecord> out;
    while (st.Step()) out.push_back(ReadAlert(st));
    return Checked(st, std::move(out));
  }

  Status SetAlertStatus(int64_t id, const std::string& status, const std::string& note) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "UPDATE alerts SET status = ?, note = ? WHERE id = ?");
    st.Bind(1, status).Bind(2, note).Bind(3, id);
    return st.RunChanging("no alert " + std::to_string(id));
  }

 private:
  Database& db_;
  std::mutex& mu_;
  ReaderPool& readers_;
};

}  // namespace

Status CreateAlertSchema(Database& db) { return db.Exec(kAlertTable); }

std::unique_ptr<AlertStore> MakeSqliteAlertStore(Database& db, std::mutex& mu,
                                                 ReaderPool& readers) {
  return std::make_unique<SqliteAlertStore>(db, mu, readers);
}

}  // namespace vigil::store::sqlite
