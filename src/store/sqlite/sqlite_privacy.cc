#include "store/sqlite/sqlite_privacy.h"

#include <chrono>
#include <thread>

#include "store/alert_store.h"

namespace vigil::store::sqlite {
namespace {

constexpr std::string_view kFlagColumns =
    "SELECT patient_id, flag, reason, set_by, since_ms FROM patient_flags";
constexpr std::string_view kErasureColumns =
    "SELECT seq, patient_id, erased_by, erased_ms, devices, readings FROM patient_erasures";

PatientFlagRecord ReadFlag(const Statement& st) {
  return {st.Text(0), ParsePatientFlag(st.TextView(1)).value_or(PatientFlag::kLegalHold),
          st.Text(2), st.Text(3), st.Int(4)};
}

ErasureRecord ReadErasure(const Statement& st) {
  return {st.Int(0), st.Text(1), st.Text(2), st.Int(3), SplitEntities(st.TextView(4)),
          st.Int(5), ""};
}

// Runs `sql` with the patient's id bound, on the writer.
Status RunFor(Database& db, const char* sql, const std::string& patient_id) {
  Statement st(db.handle(), sql);
  st.Bind(1, patient_id);
  return st.Run();
}

class SqlitePrivacyStore final : public PrivacyStore {
 public:
  SqlitePrivacyStore(Database& db, std::mutex& mu, ReaderPool& readers)
      : db_(db), mu_(mu), readers_(readers) {}

  Status PutFlag(const PatientFlagRecord& f) override {
    std::lock_guard lock(mu_);
    VIGIL_RETURN_IF_ERROR(RefuseErased(f.patient_id));
    Statement st(db_.handle(),
                 "INSERT INTO patient_flags (patient_id, flag, reason, set_by, since_ms)"
                 " VALUES (?, ?, ?, ?, ?)");
    st.Bind(1, f.patient_id).Bind(2, PatientFlagName(f.flag)).Bind(3, f.reason).Bind(4, f.by);
    st.Bind(5, f.since_ms);
    return ExplainFlagInsert(st.Run(), f);
  }

  Status RemoveFlag(const std::string& patient_id, PatientFlag flag) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "DELETE FROM patient_flags WHERE patient_id = ? AND flag = ?");
    st.Bind(1, patient_id).Bind(2, PatientFlagName(flag));
    return st.RunChanging("Patient/" + patient_id + " is not " +
                          std::string(PatientFlagName(flag)));
  }

  Result<std::vector<PatientFlagRecord>> Flags(const std::string& patient_id) override {
    return ReadRows(readers_, std::string(kFlagColumns) + " WHERE patient_id = ? ORDER BY flag",
                    ReadFlag, patient_id);
  }

  Result<ErasureRecord> Erase(const std::string& patient_id, const std::string& by,
                              int64_t erased_ms) override {
    std::lock_guard lock(mu_);
    // Deleted bytes are overwritten with zeros, for this change only.
    VIGIL_RETURN_IF_ERROR(db_.Exec("PRAGMA secure_delete=ON"));
    ErasureRecord erasure{0, patient_id, by, erased_ms, {}, 0, ""};
    VIGIL_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    Status s = EraseInTransaction(erasure);
    s = s.ok() ? db_.Exec("COMMIT") : s;
    if (!s.ok()) (void)db_.Exec("ROLLBACK");
    (void)db_.Exec("PRAGMA secure_delete=OFF");
    VIGIL_RETURN_IF_ERROR(s);
    if (!TruncateLog()) {
      erasure.residue =
          "the database's write-ahead log could not be truncated (a reader held it): the "
          "wrapped key's old page may stay in it until the hub's next checkpoint";
    }
    return erasure;
  }

  Result<std::optional<ErasureRecord>> FindErasure(const std::string& patient_id) override {
    return FindRow(readers_, std::string(kErasureColumns) + " WHERE patient_id = ?", ReadErasure,
                   patient_id);
  }

  Result<std::vector<ErasureRecord>> ErasuresAfter(int64_t seq) override {
    return ReadRows(readers_, std::string(kErasureColumns) + " WHERE seq > ? ORDER BY seq",
                    ReadErasure, seq);
  }

 private:
  // Under mu_.
  Status RefuseErased(const std::string& patient_id) {
    Statement st(db_.handle(), "SELECT erased_ms FROM patient_erasures WHERE patient_id = ?");
    st.Bind(1, patient_id);
    if (st.Step()) return Status::FailedPrecondition("Patient/" + patient_id + " was erased");
    return st.status();
  }

  Status EraseInTransaction(ErasureRecord& erasure) {
    const std::string& id = erasure.patient_id;
    {
      Statement found(db_.handle(), "SELECT 1 FROM patients WHERE id = ?");
      found.Bind(1, id);
      if (!found.Step()) {
        VIGIL_RETURN_IF_ERROR(found.status());
        return Status::NotFound("no Patient/" + id);
      }
    }
    VIGIL_RETURN_IF_ERROR(RefuseErased(id));
    {
      Statement hold(db_.handle(),
                     "SELECT reason, set_by FROM patient_flags WHERE patient_id = ? AND flag = ?");
      hold.Bind(1, id).Bind(2, PatientFlagName(PatientFlag::kLegalHold));
      if (hold.Step()) {
        return Status::FailedPrecondition("Patient/" + id + " is under a legal hold (" +
                                          hold.Text(0) + ", placed by " + hold.Text(1) +
                                          "): lift it before erasing");
      }
      VIGIL_RETURN_IF_ERROR(hold.status());
    }
    {
      Statement devices(db_.handle(),
                        "SELECT id FROM devices WHERE patient_id = ? AND status = 'active'"
                        " ORDER BY id");
      devices.Bind(1, id);
      while (devices.Step()) erasure.devices_revoked.push_back(devices.Text(0));
      VIGIL_RETURN_IF_ERROR(devices.status());
    }
    {
      Statement count(db_.handle(), "SELECT count(*) FROM observations WHERE patient_id = ?");
      count.Bind(1, id);
      if (count.Step()) erasure.readings = count.Int(0);
      VIGIL_RETURN_IF_ERROR(count.status());
    }
    VIGIL_RETURN_IF_ERROR(RunFor(db_, "DELETE FROM patient_keys WHERE patient_id = ?", id));
    VIGIL_RETURN_IF_ERROR(
        RunFor(db_, "UPDATE patients SET sealed_demographics = x'' WHERE id = ?", id));
    VIGIL_RETURN_IF_ERROR(
        RunFor(db_, "UPDATE devices SET status = 'revoked' WHERE patient_id = ?", id));
    VIGIL_RETURN_IF_ERROR(RunFor(db_, "DELETE FROM care_team WHERE patient_id = ?", id));
    VIGIL_RETURN_IF_ERROR(RunFor(db_, "DELETE FROM consents WHERE patient_id = ?", id));
    Statement record(db_.handle(),
                     "INSERT INTO patient_erasures (patient_id, erased_by, erased_ms, devices,"
                     " readings) VALUES (?, ?, ?, ?, ?)");
    record.Bind(1, id).Bind(2, erasure.by).Bind(3, erasure.erased_ms);
    record.Bind(4, JoinEntities(erasure.devices_revoked)).Bind(5, erasure.readings);
    VIGIL_RETURN_IF_ERROR(record.Run());
    erasure.seq = sqlite3_last_insert_rowid(db_.handle());
    return Status::Ok();
  }

  // Folds the log into the database and truncates it, so that the page that held the key
  // before it was zeroed is in no file; false if readers kept it from completing.
  bool TruncateLog() {
    for (int attempt = 0; attempt < 40; ++attempt) {
      Statement st(db_.handle(), "PRAGMA wal_checkpoint(TRUNCATE)");
      if (st.Step() && st.Int(0) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  Database& db_;
  std::mutex& mu_;
  ReaderPool& readers_;
};

}  // namespace

Status CreatePrivacySchema(Database& db) {
  return db.Exec(
      "CREATE TABLE IF NOT EXISTS patient_flags (patient_id TEXT NOT NULL REFERENCES"
      " patients(id), flag TEXT NOT NULL CHECK (flag IN ('legal-hold', 'restricted')),"
      " reason TEXT NOT NULL, set_by TEXT NOT NULL, since_ms INTEGER NOT NULL,"
      " PRIMARY KEY (patient_id, flag)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS patient_erasures (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
      " patient_id TEXT NOT NULL UNIQUE, erased_by TEXT NOT NULL, erased_ms INTEGER NOT NULL,"
      " devices TEXT NOT NULL, readings INTEGER NOT NULL);");
}

Result<std::pair<int64_t, int64_t>> RewrapSecrets(Database& db, const Store::Rewrap& rewrap) {
  std::pair<int64_t, int64_t> counts{0, 0};
  const struct {
    const char* select;
    const char* update;
    std::string_view kind;
    int64_t* count;
  } tables[] = {
      {"SELECT patient_id, wrapped_key FROM patient_keys",
       "UPDATE patient_keys SET wrapped_key = ? WHERE patient_id = ?", "patient", &counts.first},
      {"SELECT username, sealed_totp_secret FROM users WHERE length(sealed_totp_secret) > 0",
       "UPDATE users SET sealed_totp_secret = ? WHERE username = ?", "user", &counts.second}};
  for (const auto& t : tables) {
    std::vector<std::pair<std::string, std::string>> rows;
    {
      Statement select(db.handle(), t.select);
      while (select.Step()) rows.emplace_back(select.Text(0), select.Blob(1));
      VIGIL_RETURN_IF_ERROR(select.status());
    }
    for (auto& [id, sealed] : rows) {
      VIGIL_ASSIGN_OR_RETURN(std::string rewrapped, rewrap(t.kind, id, sealed));
      Statement update(db.handle(), t.update);
      update.BindBlob(1, rewrapped).Bind(2, id);
      VIGIL_RETURN_IF_ERROR(update.Run());
      ++*t.count;
    }
  }
  return counts;
}

std::unique_ptr<PrivacyStore> MakeSqlitePrivacyStore(Database& db, std::mutex& mu,
                                                     ReaderPool& readers) {
  return std::make_unique<SqlitePrivacyStore>(db, mu, readers);
}

}  // namespace vigil::store::sqlite
