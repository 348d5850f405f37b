// The SQLite implementation of Store: one connection guarded by a mutex, WAL journal with
// synchronous=FULL so a committed transaction survives power loss. Schema in docs/storage.md.
#include <sys/stat.h>

#include <mutex>
#include <optional>
#include <utility>

#include "core/files.h"
#include "model/reading.h"
#include "store/ledger_node_file.h"
#include "store/sqlite/sqlite_access.h"
#include "store/sqlite/sqlite_alerts.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_hub_status.h"
#include "store/sqlite/sqlite_ledger.h"
#include "store/sqlite/sqlite_privacy.h"
#include "store/sqlite/sqlite_readings.h"
#include "store/sqlite/sqlite_receipts.h"
#include "store/sqlite/sqlite_suspects.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using sqlite::Checked;
using sqlite::Database;
using sqlite::Statement;

// 2: ledger; 3: users and access; 4: alerts; 5: quarantine; 6: incidents and unlock requests;
// 7: the ledger's subject index merged in sorted batches; 8: the ledger's nodes in a file and
// its subject index in sorted runs; 9: each device's widest skew (Observations read by id);
// 10: receipts in commit order, indexed by device in sorted batches; 11: address blocks, the
// care team indexed by member, devices held to vital signs, notices of monitoring stopped;
// 12: suspect readings; 13: device activity, integrity checks; 14: patients' flags, erasures
constexpr int kSchemaVersion = 14;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE patients (
  id TEXT PRIMARY KEY,
  sealed_demographics BLOB NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE patient_keys (
  patient_id TEXT PRIMARY KEY REFERENCES patients(id),
  wrapped_key BLOB NOT NULL);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  type TEXT NOT NULL,
  cert_serial TEXT NOT NULL,
  cert_fingerprint TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  enrolled_ms INTEGER NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE reading_receipts (
  device_id TEXT NOT NULL REFERENCES devices(id),
  seq INTEGER NOT NULL,
  payload_digest BLOB NOT NULL,
  received_ms INTEGER NOT NULL,
  ledger_index INTEGER,
  PRIMARY KEY (device_id, seq)) WITHOUT ROWID;
-- An Observation's id is unique because its message's receipt is: both go in one transaction.
-- No foreign keys: the commit checks each message's device and that its Observations are that
-- device's patient's, once a device (InsertReadings). Hubs created before schema 10 keep them
-- (redundant: SQLite cannot drop a constraint without rewriting the table).
CREATE TABLE observations (
  id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  code TEXT NOT NULL,
  effective_ms INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  sealed BLOB NOT NULL,
  ledger_index INTEGER);
CREATE INDEX observations_by_patient ON observations(patient_id, effective_ms, id);
)sql";

const char* StatusText(DeviceStatus s) { return s == DeviceStatus::kActive ? "active" : "revoked"; }

DeviceRecord ReadDevice(const Statement& st) {
  DeviceRecord d;
  d.id = st.Text(0);
  d.patient_id = st.Text(1);
  d.type = st.Text(2);
  d.cert_serial = st.Text(3);
  d.cert_fingerprint = st.Text(4);
  d.status = st.Text(5) == "active" ? DeviceStatus::kActive : DeviceStatus::kRevoked;
  d.enrolled_ms = st.Int(6);
  d.last_seq = static_cast<uint64_t>(st.Int(7));
  d.quarantined = st.Int(8) != 0;
  d.vitals_only = st.Int(9) != 0;
  return d;
}

// Version 5: devices held by a containment playbook (a table of its own: the devices table's
// status CHECK cannot be altered in place).
constexpr std::string_view kQuarantineTable = R"sql(
CREATE TABLE device_quarantine (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  reason TEXT NOT NULL,
  since_ms INTEGER NOT NULL);
)sql";

// Version 11: devices a playbook restricted to sending vital signs instead of quarantining them.
constexpr std::string_view kVitalsOnlyTable = R"sql(
CREATE TABLE IF NOT EXISTS device_vitals_only (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  reason TEXT NOT NULL,
  since_ms INTEGER NOT NULL);
)sql";

constexpr std::string_view kDeviceColumns =
    "SELECT id, patient_id, type, cert_serial, cert_fingerprint, status, enrolled_ms, last_seq,"
    " q.device_id IS NOT NULL, v.device_id IS NOT NULL FROM devices"
    " LEFT JOIN device_quarantine q ON q.device_id = id"
    " LEFT JOIN device_vitals_only v ON v.device_id = id";

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Env& env) : env_(env) {}

  Status Open(const std::string& path, OpenMode mode, const MigrationNotice& notice) {
    if (Status opened = OpenWriter(path, mode, notice); !opened.ok()) {
      if (opened.message().find(path) != std::string::npos) return opened;
      return Status(opened.code(),
                    path + ": " + opened.message() + " (restore the hub's database from a backup)");
    }
    {
      std::lock_guard lock(mu_);
      VIGIL_RETURN_IF_ERROR(recent_receipts_.Load(db_));
    }
    readers_ = std::make_unique<sqlite::ReaderPool>(path, env_.database_vfs());
    access_ = sqlite::MakeSqliteAccessStore(db_, mu_, *readers_);
    alerts_ = sqlite::MakeSqliteAlertStore(db_, mu_, *readers_);
    privacy_ = sqlite::MakeSqlitePrivacyStore(db_, mu_, *readers_);
    return Status::Ok();
  }

  // Opens the writer connection and creates or migrates the schema.
  Status OpenWriter(const std::string& path, OpenMode mode, const MigrationNotice& notice) {
    const bool exists = PathExists(path);
    if (mode == OpenMode::kOpenExisting && !exists) {
      return Status::NotFound("no hub database at " + path + " (run `vigil init` first)");
    }
    path_ = path;
    VIGIL_RETURN_IF_ERROR(db_.Open(path, mode == OpenMode::kCreate, env_.database_vfs()));
    ::chmod(path.c_str(), 0600);
    VIGIL_ASSIGN_OR_RETURN(nodes_, LedgerNodeFile::Open(env_, path + "-ledger-nodes"));
    VIGIL_RETURN_IF_ERROR(
        db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                 "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=8192;"));
    int64_t current = 0;
    {  // finalized before the migration: a live statement would lock the tables it drops
      Statement version(db_.handle(), "PRAGMA user_version");
      VIGIL_RETURN_IF_ERROR(version.prepared());
      if (version.Step()) current = version.Int(0);
    }
    if (current < kSchemaVersion) {  // new (0), or an older version to migrate
      if (current > 0 && notice) notice(static_cast<int>(current), kSchemaVersion);
      VIGIL_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
      Status created = current == 0 ? db_.Exec(kSchema) : Status::Ok();
      if (created.ok() && current < 2) {
        created = sqlite::CreateLedgerSchema(db_, /*migrating=*/current == 1);
      }
      if (created.ok() && current < 3) created = sqlite::CreateAccessSchema(db_);
      if (created.ok() && current < 4) created = sqlite::CreateAlertSchema(db_);
      if (created.ok() && current < 5) created = db_.Exec(kQuarantineTable);
      if (created.ok() && current < 6) created = sqlite::CreateIncidentSchema(db_);
      if (created.ok() && current < 6) created = sqlite::CreateUnlockSchema(db_);
      if (created.ok() && current < 7) created = sqlite::CreateSubjectIndex(db_);
      if (created.ok() && current < 8) created = sqlite::CreateSubjectRuns(db_);
      if (created.ok() && current < 8) created = sqlite::MoveNodesToFile(db_, *nodes_);
      if (created.ok() && current < 9) created = sqlite::AddDeviceSkew(db_);
      if (created.ok() && current < 10) created = sqlite::MoveReceiptsToCommitOrder(db_);
      if (created.ok() && current < 11) created = sqlite::CreateAddressBlockSchema(db_);
      if (created.ok() && current < 11) created = sqlite::CreateCareTeamByMember(db_);
      if (created.ok() && current < 11) created = db_.Exec(kVitalsOnlyTable);
      if (created.ok() && current < 11) created = sqlite::CreateMonitoringNoticeSchema(db_);
      if (created.ok() && current < 12) created = sqlite::CreateSuspectSchema(db_);
      if (created.ok() && current < 13) created = sqlite::CreateHubStatusSchema(db_);
      if (created.ok() && current < 14) created = sqlite::CreatePrivacySchema(db_);
      if (created.ok()) created = db_.Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
      VIGIL_RETURN_IF_ERROR(db_.Exec(created.ok() ? "COMMIT" : "ROLLBACK"));
      return created;
    }
    if (current != kSchemaVersion) {
      return Status::FailedPrecondition("database schema version " + std::to_string(current) +
                                        " is not one this vigil reads (" +
                                        std::to_string(kSchemaVersion) + ")");
    }
    return Status::Ok();
  }

  Status InsertPatient(const PatientRecord& p, const std::string& wrapped_key) override {
    const Status inserted = InTransaction([&]() -> Status {
      Statement patient(
          db_.handle(),
          "INSERT INTO patients (id, sealed_demographics, created_ms) VALUES (?, ?, ?)");
      patient.Bind(1, p.id).BindBlob(2, p.sealed_demographics).Bind(3, p.created_ms);
      VIGIL_RETURN_IF_ERROR(patient.Run());
      Statement key(db_.handle(),
                    "INSERT INTO patient_keys (patient_id, wrapped_key) VALUES (?, ?)");
      key.Bind(1, p.id).BindBlob(2, wrapped_key);
      return key.Run();
    });
    return Named(inserted, "patient " + p.id);
  }

  Result<std::optional<PatientRecord>> FindPatient(const std::string& id) override {
    return FindRow(
        *readers_, "SELECT id, sealed_demographics, created_ms FROM patients WHERE id = ?",
        [](const Statement& st) {
          return PatientRecord{st.Text(0), st.Blob(1), st.Int(2)};
        },
        id);
  }

  Result<std::vector<PatientRecord>> ListPatients() override {
    return ReadRows(*readers_,
                    "SELECT id, sealed_demographics, created_ms FROM patients ORDER BY id",
                    [](const Statement& st) {
                      return PatientRecord{st.Text(0), st.Blob(1), st.Int(2)};
                    });
  }

  Result<std::optional<std::string>> FindPatientKey(const std::string& patient_id) override {
    return FindRow(
        *readers_, "SELECT wrapped_key FROM patient_keys WHERE patient_id = ?",
        [](const Statement& st) { return st.Blob(0); }, patient_id);
  }

  Status InsertDevice(const DeviceRecord& d) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(),
                 "INSERT INTO devices (id, patient_id, type, cert_serial, cert_fingerprint, status,"
                 " enrolled_ms, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    st.Bind(1, d.id).Bind(2, d.patient_id).Bind(3, d.type).Bind(4, d.cert_serial);
    st.Bind(5, d.cert_fingerprint).Bind(6, StatusText(d.status)).Bind(7, d.enrolled_ms);
    st.Bind(8, static_cast<int64_t>(d.last_seq));
    Status s = st.Run();
    if (s.code() == StatusCode::kFailedPrecondition) {
      return Status::FailedPrecondition("no patient " + d.patient_id);
    }
    return Named(s, "device " + d.id);
  }

  Result<std::optional<DeviceRecord>> FindDevice(const std::string& id) override {
    return FindRow(*readers_, std::string(kDeviceColumns) + " WHERE id = ?", ReadDevice, id);
  }

  Result<std::vector<DeviceRecord>> ListDevices() override {
    return ReadRows(*readers_, std::string(kDeviceColumns) + " ORDER BY id", ReadDevice);
  }

  Status SetDeviceStatus(const std::string& id, DeviceStatus status) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "UPDATE devices SET status = ? WHERE id = ?");
    st.Bind(1, StatusText(status)).Bind(2, id);
    return st.RunChanging("no device " + id);
  }

  Status QuarantineDevice(const std::string& id, const std::string& reason, int64_t since_ms,
                          Hold hold) override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), hold == Hold::kQuarantine
                                   ? "INSERT OR IGNORE INTO device_quarantine (device_id, reason,"
                                     " since_ms) VALUES (?, ?, ?)"
                                   : "INSERT OR IGNORE INTO device_vitals_only (device_id, reason,"
                                     " since_ms) VALUES (?, ?, ?)");
    st.Bind(1, id).Bind(2, reason).Bind(3, since_ms);
    Status s = st.Run();
    if (s.code() == StatusCode::kFailedPrecondition)
      return Status::FailedPrecondition("no device " + id);
    return s;
  }

  Status RaiseLastSequence(const std::string& id, uint64_t seq) override {
    if (!model::IsValidSequence(seq))
      return Status::InvalidArgument("sequence number out of range");
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "UPDATE devices SET last_seq = max(last_seq, ?) WHERE id = ?");
    st.Bind(1, static_cast<int64_t>(seq)).Bind(2, id);
    return st.RunChanging("no device " + id);
  }

  Status ReleaseDevice(const std::string& id) override {
    std::lock_guard lock(mu_);
    Statement restricted(db_.handle(), "DELETE FROM device_vitals_only WHERE device_id = ?");
    restricted.Bind(1, id);
    VIGIL_RETURN_IF_ERROR(restricted.Run());
    const bool was_restricted = sqlite3_changes(db_.handle()) > 0;
    Statement st(db_.handle(), "DELETE FROM device_quarantine WHERE device_id = ?");
    st.Bind(1, id);
    const Status released = st.RunChanging("device " + id + " is not quarantined");
    return was_restricted && released.code() == StatusCode::kNotFound ? Status::Ok() : released;
  }

  Status CommitReadings(std::span<const ReadingCommit> commits,
                        const LedgerAppend* ledger) override {
    bool tail_indexed = false;
    return InTransaction(
        [&]() -> Status {
          std::optional<uint64_t> index;
          if (ledger) {
            VIGIL_ASSIGN_OR_RETURN(index, sqlite::WriteLedgerAppend(db_, *nodes_, *ledger));
          }
          VIGIL_ASSIGN_OR_RETURN(tail_indexed, sqlite::InsertReadings(db_, commits, index));
          return Status::Ok();
        },
        // still under the writer's lock: what it remembers follows the commits' order
        [&] { recent_receipts_.Committed(commits, tail_indexed); });
  }

  Result<std::optional<std::string>> FindReceiptDigest(const std::string& device_id,
                                                       uint64_t seq) override {
    VIGIL_ASSIGN_OR_RETURN(auto receipt,
                           sqlite::FindReceipt(*readers_, recent_receipts_, device_id, seq));
    if (!receipt) return std::optional<std::string>();
    return std::optional(std::move(receipt->payload_digest));
  }

  Result<std::vector<SealedObservation>> ListObservations(const std::string& patient_id) override {
    return sqlite::ListObservations(*readers_, patient_id);
  }

  Status VisitObservations(const ObservationQuery& q, const ObservationVisitor& visit) override {
    return sqlite::VisitObservations(*readers_, q, visit);
  }

  Result<uint64_t> CountObservations(const ObservationQuery& q) override {
    return sqlite::CountObservations(*readers_, q);
  }

  Result<std::optional<SealedObservation>> FindObservation(const std::string& patient_id,
                                                           const std::string& id) override {
    return sqlite::FindObservation(*readers_, recent_receipts_, patient_id, id);
  }

  Status MarkSuspect(const std::string& patient_id, const std::string& device_id,
                     std::span<const uint64_t> seqs, const std::string& reason) override {
    return InTransaction([&]() -> Status {
      for (uint64_t seq : seqs) {
        VIGIL_RETURN_IF_ERROR(sqlite::InsertSuspect(db_, patient_id, device_id, seq, reason));
      }
      return Status::Ok();
    });
  }

  Result<std::vector<SuspectReading>> SuspectReadings(const std::string& patient_id) override {
    return sqlite::SuspectReadings(*readers_, patient_id);
  }

  Status RecordDeviceActivity(const std::vector<DeviceActivity>& activity) override {
    if (activity.empty()) return Status::Ok();
    return InTransaction([&]() -> Status {
      for (const auto& a : activity) VIGIL_RETURN_IF_ERROR(sqlite::UpsertDeviceActivity(db_, a));
      return Status::Ok();
    });
  }

  Result<std::vector<DeviceActivity>> ListDeviceActivity() override {
    return sqlite::ListDeviceActivity(*readers_);
  }

  Status RecordIntegrityCheck(const IntegrityCheck& check) override {
    return InTransaction([&] { return sqlite::InsertIntegrityCheck(db_, check); });
  }

  Result<std::optional<IntegrityCheck>> LatestIntegrityCheck() override {
    return sqlite::LatestIntegrityCheck(*readers_);
  }

  Result<std::vector<IndexedLedgerEntry>> LedgerEntriesAbout(const std::string& patient_id,
                                                             uint64_t limit) override {
    VIGIL_ASSIGN_OR_RETURN(auto reader, readers_->Acquire());
    return sqlite::ReadLedgerEntriesAbout(reader.db(), patient_id, limit);
  }

  Result<std::pair<int64_t, int64_t>> RewrapSecrets(const Rewrap& rewrap) override {
    std::pair<int64_t, int64_t> counts;
    VIGIL_RETURN_IF_ERROR(InTransaction([&]() -> Status {
      VIGIL_ASSIGN_OR_RETURN(counts, sqlite::RewrapSecrets(db_, rewrap));
      return Status::Ok();
    }));
    return counts;
  }

  AccessStore& access() override { return *access_; }
  AlertStore& alerts() override { return *alerts_; }
  PrivacyStore& privacy() override { return *privacy_; }

  Status AppendLedger(const LedgerAppend& append) override {
    return InTransaction([&] { return sqlite::WriteLedgerAppend(db_, *nodes_, append).status(); });
  }

  Result<uint64_t> LedgerSize() override {
    std::lock_guard lock(mu_);
    return sqlite::ReadLedgerSize(db_);
  }

  Result<std::vector<std::string>> LedgerEntries(uint64_t from, uint64_t count) override {
    std::lock_guard lock(mu_);
    return sqlite::ReadLedgerEntries(db_, from, count);
  }

  Result<std::optional<std::string>> LedgerNode(int level, uint64_t index) override {
    return nodes_->Read(level, index);
  }

  Result<std::vector<LedgerNodeRecord>> LedgerNodesCompletedBy(uint64_t first,
                                                               uint64_t end) override {
    return nodes_->ReadCompletedBy(first, end);
  }

  Result<uint64_t> LedgerNodesDurableSize() override {
    std::lock_guard lock(mu_);
    return sqlite::ReadNodesDurableSize(db_);
  }

  std::pair<std::string, std::string> DescribeLedgerNodes() const override {
    return {"the ledger's node file (vigil.db-ledger-nodes)", "truncated or zeroed"};
  }

  Status SyncLedgerNodes() override {
    return InTransaction([this]() -> Status {
      VIGIL_ASSIGN_OR_RETURN(uint64_t size, sqlite::ReadLedgerSize(db_));
      VIGIL_RETURN_IF_ERROR(nodes_->Sync());
      return sqlite::MarkNodesDurable(db_, size);
    });
  }

  Status RepairLedgerNodes(uint64_t first, uint64_t end,
                           const std::vector<LedgerNodeRecord>& nodes) override {
    return InTransaction([&]() -> Status {
      VIGIL_RETURN_IF_ERROR(nodes_->Write(first, end, nodes));
      VIGIL_RETURN_IF_ERROR(nodes_->Sync());
      return sqlite::MarkNodesDurable(db_, end);
    });
  }

  Result<std::unique_ptr<LedgerBatchReader>> ReadLedgerBatches() override {
    VIGIL_ASSIGN_OR_RETURN(auto reader, readers_->Acquire());
    return sqlite::MakeLedgerBatchReader(std::move(reader));
  }

  Result<uint64_t> CountUnledgeredRows() override {
    std::lock_guard lock(mu_);
    return sqlite::CountUnledgered(db_);
  }

  Result<std::optional<std::string>> FindReceiptAnomaly() override {
    return sqlite::DuplicateReceipts(*readers_);
  }

  Status CheckIntegrity() override {
    std::lock_guard lock(mu_);
    Statement st(db_.handle(), "PRAGMA quick_check(1)");
    std::string verdict = st.Step() ? st.Text(0) : "";
    if (!st.status().ok()) verdict = st.status().message();
    if (verdict == "ok") return Status::Ok();
    return Status::DataLoss(path_ + " is damaged (SQLite quick_check: " + verdict +
                            "); restore it from a backup, or run `vigil recover`");
  }

  bool networked() const override { return false; }
  Status CheckWritable() override { return Status::Ok(); }

  Status ReclaimSpace() override {
    std::lock_guard lock(mu_);
    return db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  Result<bool> LeadCheckpoints() override { return true; }

  Status InsertCheckpoint(const StoredCheckpoint& checkpoint) override {
    std::lock_guard lock(mu_);
    return sqlite::WriteCheckpoint(db_, checkpoint);
  }

  Status CosignCheckpoint(uint64_t size, const std::string& cosigned) override {
    std::lock_guard lock(mu_);
    return sqlite::CosignCheckpoint(db_, size, cosigned);
  }

  Result<std::vector<StoredCheckpoint>> ListCheckpoints() override {
    std::lock_guard lock(mu_);
    return sqlite::ReadCheckpoints(db_);
  }

  Result<std::optional<StoredCheckpoint>> FindCheckpoint(std::optional<uint64_t> size) override {
    std::lock_guard lock(mu_);
    return sqlite::FindCheckpoint(db_, size);
  }

 private:
  // Runs `body` in a write transaction of the writer connection: committed if it succeeds,
  // and then `committed` runs, still under the writer's lock.
  // BEGIN and COMMIT are prepared once too: group commits run them hundreds of times a second.
  template <typename Body, typename Committed = void (*)()>
  Status InTransaction(
      Body&& body, Committed&& committed = [] {}) {
    std::lock_guard lock(mu_);
    VIGIL_RETURN_IF_ERROR((*db_.Prepared("BEGIN IMMEDIATE")).Run());
    Status s = body();
    if (!s.ok()) {
      (void)db_.Exec("ROLLBACK");
      return s;
    }
    VIGIL_RETURN_IF_ERROR((*db_.Prepared("COMMIT")).Run());
    committed();
    return Status::Ok();
  }

  static Status Named(Status s, const std::string& what) {
    if (s.code() == StatusCode::kAlreadyExists) return Status::AlreadyExists(what + " exists");
    return s;
  }

  Env& env_;
  std::string path_;  // the database file, named in errors
  std::mutex mu_;
  Database db_;  // the writer: every change, and reads that must see the writer's state
  std::unique_ptr<sqlite::ReaderPool> readers_;  // everything else
  std::unique_ptr<LedgerNodeFile> nodes_;        // the ledger's tree nodes
  std::unique_ptr<AccessStore> access_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<PrivacyStore> privacy_;
  sqlite::RecentReceipts recent_receipts_;  // the receipts' tail, as this process knows it
};

}  // namespace

std::string DescribeMigration(int from_version, int to_version) {
  std::string text = "upgrading the hub database from schema version " +
                     std::to_string(from_version) + " to " + std::to_string(to_version);
  if (from_version < 10) {
    text += " (receipts are rewritten in commit order: a few seconds per million readings)";
  }
  return text;
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode,
                                               const MigrationNotice& notice, Env& env) {
  auto store = std::make_unique<SqliteStore>(env);
  VIGIL_RETURN_IF_ERROR(store->Open(path, mode, notice));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace vigil::store
