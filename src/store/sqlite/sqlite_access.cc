#include "store/sqlite/sqlite_access.h"

namespace vigil::store::sqlite {
namespace {

constexpr std::string_view kAccessTables = R"sql(
CREATE TABLE users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  patient_id TEXT REFERENCES patients(id),
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL,
  sealed_totp_secret BLOB NOT NULL,
  last_totp_step INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL);
CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  username TEXT NOT NULL REFERENCES users(username),
  created_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  address TEXT NOT NULL);
CREATE INDEX sessions_by_user ON sessions(username);
CREATE TABLE care_team (
  patient_id TEXT NOT NULL REFERENCES patients(id),
  username TEXT NOT NULL REFERENCES users(username),
  PRIMARY KEY (patient_id, username)) WITHOUT ROWID;
CREATE TABLE consents (
  patient_id TEXT PRIMARY KEY REFERENCES patients(id),
  directive TEXT NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  resource TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  open INTEGER NOT NULL DEFAULT 1);
ALTER TABLE ledger_entries ADD COLUMN subject TEXT;
CREATE INDEX ledger_by_subject ON ledger_entries(subject, idx) WHERE subject IS NOT NULL;
)sql";

constexpr std::string_view kUserColumns =
    "SELECT username, role, COALESCE(patient_id, ''), password_hash, must_change_password,"
    " sealed_totp_secret, last_totp_step, created_ms FROM users";

UserRecord ReadUser(const Statement& st) {
  return {st.Text(0),     st.Text(1), st.Text(2), st.Text(3),
          st.Int(4) != 0, st.Blob(5), st.Int(6),  st.Int(7)};
}

class SqliteAccessStore final : public AccessStore {
 public:
  SqliteAccessStore(Database& db, std::mutex& mu, ReaderPool& readers)
      : db_(db), mu_(mu), readers_(readers) {}

  Status InsertUser(const UserRecord& u) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO users (username, role, patient_id, password_hash,"
                 " must_change_password, sealed_totp_secret, last_totp_step, created_ms)"
                 " VALUES (?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?)");
    st.Bind(1, u.username).Bind(2, u.role).Bind(3, u.patient_id).Bind(4, u.password_hash);
    st.Bind(5, int64_t{u.must_change_password}).BindBlob(6, u.sealed_totp_secret);
    st.Bind(7, u.last_totp_step).Bind(8, u.created_ms);
    return ExplainUserInsert(st.Run(), u);
  }

  Result<std::optional<UserRecord>> FindUser(const std::string& username) override {
    return FindRow(readers_, std::string(kUserColumns) + " WHERE username = ?", ReadUser, username);
  }

  Result<std::vector<UserRecord>> ListUsers() override {
    return ReadRows(readers_, std::string(kUserColumns) + " ORDER BY username", ReadUser);
  }

  Status SetPassword(const std::string& username, const std::string& hash,
                     bool must_change) override {
    return Update("UPDATE users SET password_hash = ?, must_change_password = ? WHERE username = ?",
                  {hash, must_change ? "1" : "0", username}, "no user " + username);
  }

  Result<bool> ClaimTotpStep(const std::string& username, int64_t step) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "UPDATE users SET last_totp_step = ? WHERE username = ? AND last_totp_step < ?");
    st.Bind(1, step).Bind(2, username).Bind(3, step);
    VIGIL_RETURN_IF_ERROR(st.Run());
    return sqlite3_changes(db_.handle()) == 1;
  }

  Status InsertSession(const SessionRecord& s) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO sessions (token_hash, username, created_ms, last_seen_ms, address)"
                 " VALUES (?, ?, ?, ?, ?)");
    st.BindBlob(1, s.token_hash).Bind(2, s.username).Bind(3, s.created_ms);
    st.Bind(4, s.last_seen_ms).Bind(5, s.address);
    return st.Run();
  }

  Result<std::optional<SessionRecord>> FindSession(const std::string& token_hash) override {
    VIGIL_ASSIGN_OR_RETURN(auto reader, readers_.Acquire());
    auto held = reader.db().Prepared(
        "SELECT token_hash, username, created_ms, last_seen_ms, address FROM sessions"
        " WHERE token_hash = ?");
    Statement& st = *held;
    VIGIL_RETURN_IF_ERROR(st.prepared());
    st.BindBlob(1, token_hash);
    if (!st.Step()) return Checked(st, std::optional<SessionRecord>());
    return std::optional<SessionRecord>(
        SessionRecord{st.Blob(0), st.Text(1), st.Int(2), st.Int(3), st.Text(4)});
  }

  Status TouchSession(const std::string& token_hash, int64_t now_ms) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "UPDATE sessions SET last_seen_ms = ? WHERE token_hash = ?");
    st.Bind(1, now_ms).BindBlob(2, token_hash);
    return st.Run();
  }

  Status DeleteSession(const std::string& token_hash) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "DELETE FROM sessions WHERE token_hash = ?");
    st.BindBlob(1, token_hash);
    return st.Run();
  }

  Result<int64_t> DeleteUserSessions(const std::string& username,
                                     const std::string& keep) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "DELETE FROM sessions WHERE username = ? AND token_hash != ?");
    st.Bind(1, username).BindBlob(2, keep);
    VIGIL_RETURN_IF_ERROR(st.Run());
    return int64_t{sqlite3_changes(db_.handle())};
  }

  Status RequestUnlock(const std::string& username, const std::string& by,
                       int64_t now_ms) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO login_unlocks (username, requested_by, created_ms) VALUES (?, ?, ?)");
    st.Bind(1, username).Bind(2, by).Bind(3, now_ms);
    return st.Run();
  }

  Result<std::vector<std::pair<int64_t, std::string>>> UnlocksAfter(int64_t after) override {
    VIGIL_ASSIGN_OR_RETURN(auto reader, readers_.Acquire());
    auto held =
        reader.db().Prepared("SELECT id, username FROM login_unlocks WHERE id > ? ORDER BY id");
    Statement& st = *held;
    VIGIL_RETURN_IF_ERROR(st.prepared());
    st.Bind(1, after);
    std::vector<std::pair<int64_t, std::string>> out;
    while (st.Step()) out.emplace_back(st.Int(0), st.Text(1));
    return Checked(st, std::move(out));
  }

  Status AddCareTeamMember(const std::string& patient_id, const std::string& username) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "INSERT INTO care_team (patient_id, username) VALUES (?, ?)");
    st.Bind(1, patient_id).Bind(2, username);
    return ExplainCareTeamInsert(st.Run(), patient_id, username);
  }

  Status RemoveCareTeamMember(const std::string& patient_id, const std::string& username) override {
    return Update("DELETE FROM care_team WHERE patient_id = ? AND username = ?",
                  {patient_id, username}, username + " is not on " + patient_id + "'s care team");
  }

  Result<bool> IsOnCareTeam(const std::string& patient_id, const std::string& username) override {
    VIGIL_ASSIGN_OR_RETURN(auto reader, readers_.Acquire());
    auto held =
        reader.db().Prepared("SELECT 1 FROM care_team WHERE patient_id = ? AND username = ?");
    Statement& st = *held;
    VIGIL_RETURN_IF_ERROR(st.prepared());
    st.Bind(1, patient_id).Bind(2, username);
    const bool found = st.Step();
    return Checked(st, found);
  }

  Result<std::vector<std::string>> CareTeam(const std::string& patient_id) override {
    return ReadRows(
        readers_, "SELECT username FROM care_team WHERE patient_id = ? ORDER BY username",
        [](const Statement& st) { return st.Text(0); }, patient_id);
  }

  Status HoldAccount(const std::string& username, const std::string& reason,
                     int64_t since_ms) override {
    std::lock_guard lock(mu_);
    Statement st(
        db_.handle(),
        "INSERT OR IGNORE INTO account_holds (username, reason, since_ms) VALUES (?, ?, ?)");
    st.Bind(1, username).Bind(2, reason).Bind(3, since_ms);
    return st.Run();
  }

  Result<std::optional<std::string>> AccountHold(const std::string& username) override {
    return FindRow(
        readers_, "SELECT reason FROM account_holds WHERE username = ?",
        [](const Statement& st) { return st.Text(0); }, username);
  }

  Result<bool> ReleaseAccount(const std::string& username) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "DELETE FROM account_holds WHERE username = ?");
    st.Bind(1, username);
    VIGIL_RETURN_IF_ERROR(st.Run());
    return sqlite3_changes(db_.handle()) > 0;
  }

  Result<std::vector<std::string>> PatientsCaredForBy(const std::string& username) override {
    return ReadRows(
        readers_, "SELECT patient_id FROM care_team WHERE username = ? ORDER BY patient_id",
        [](const Statement& st) { return st.Text(0); }, username);
  }

  Result<std::optional<std::string>> FindConsent(const std::string& patient_id) override {
    return FindRow(
        readers_, "SELECT directive FROM consents WHERE patient_id = ?",
        [](const Statement& st) { return st.Text(0); }, patient_id);
  }

  Status PutConsent(const std::string& patient_id, const std::string& encoded,
                    int64_t updated_ms) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO consents (patient_id, directive, updated_ms) VALUES (?, ?, ?)"
                 " ON CONFLICT (patient_id) DO UPDATE SET directive = excluded.directive,"
                 " updated_ms = excluded.updated_ms");
    st.Bind(1, patient_id).Bind(2, encoded).Bind(3, updated_ms);
    return st.Run();
  }

  Result<int64_t> InsertReview(const ReviewRecord& r) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO reviews (username, patient_id, reason, resource, created_ms, open)"
                 " VALUES (?, ?, ?, ?, ?, 1)");
    st.Bind(1, r.username).Bind(2, r.patient_id).Bind(3, r.reason).Bind(4, r.resource);
    st.Bind(5, r.created_ms);
    VIGIL_RETURN_IF_ERROR(st.Run());
    return int64_t{sqlite3_last_insert_rowid(db_.handle())};
  }

  Result<std::vector<ReviewRecord>> ListReviews(bool open_only) override {
    VIGIL_ASSIGN_OR_RETURN(auto reader, readers_.Acquire());
    auto held = reader.db().Prepared(
        std::string("SELECT id, username, patient_id, reason, resource, created_ms, open"
                    " FROM reviews") +
        (open_only ? " WHERE open = 1" : "") + " ORDER BY id");
    Statement& st = *held;
    VIGIL_RETURN_IF_ERROR(st.prepared());
    std::vector<ReviewRecord> out;
    while (st.Step()) {
      out.push_back(
          {st.Int(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Int(5), st.Int(6) != 0});
    }
    return Checked(st, std::move(out));
  }

  Result<std::optional<ReviewRecord>> CloseReview(int64_t id) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "UPDATE reviews SET open = 0 WHERE id = ? AND open = 1 RETURNING id, username,"
                 " patient_id, reason, resource, created_ms");
    st.Bind(1, id);
    std::optional<ReviewRecord> closed;
    if (st.Step()) {
      closed =
          ReviewRecord{st.Int(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Int(5), false};
    }
    return Checked(st, std::move(closed));
  }

 private:
  // Runs a statement binding `values` as text in order; NotFound(`missing`) if no row changed.
  Status Update(std::string_view sql, std::initializer_list<std::string> values,
                const std::string& missing) {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), sql);
    int i = 1;
    for (const auto& v : values) st.Bind(i++, v);
    return st.RunChanging(missing);
  }

  Database& db_;
  std::mutex& mu_;
  ReaderPool& readers_;
};

}  // namespace

Status CreateAccessSchema(Database& db) { return db.Exec(kAccessTables); }

Status CreateCareTeamByMember(Database& db) {
  return db.Exec(
      "CREATE INDEX IF NOT EXISTS care_team_by_member ON care_team(username, patient_id);"
      "CREATE TABLE IF NOT EXISTS account_holds (username TEXT PRIMARY KEY, reason TEXT NOT NULL,"
      " since_ms INTEGER NOT NULL) WITHOUT ROWID;");
}

Status CreateUnlockSchema(Database& db) {
  return db.Exec(
      "CREATE TABLE login_unlocks (id INTEGER PRIMARY KEY AUTOINCREMENT,"
      " username TEXT NOT NULL, requested_by TEXT NOT NULL, created_ms INTEGER NOT NULL);");
}

std::unique_ptr<AccessStore> MakeSqliteAccessStore(Database& db, std::mutex& mu,
                                                   ReaderPool& readers) {
  return std::make_unique<SqliteAccessStore>(db, mu, readers);
}

}  // namespace vigil::store::sqlite
