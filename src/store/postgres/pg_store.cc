// The PostgreSQL implementation of Store: a pool of libpq connections, each call a statement
// or a transaction of its own, so that several hubs can share the database. Durability is the
// server's: a commit returns once PostgreSQL has flushed it (and, under synchronous
// replication, once a standby has). Schema in pg_schema.cc and docs/storage.md.
#include <mutex>
#include <utility>

#include "model/reading.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_ledger.h"
#include "store/postgres/pg_parts.h"
#include "store/postgres/pg_readings.h"
#include "store/postgres/pg_schema.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using pg::Params;
using pg::Rows;

const std::string kDeviceColumns =
    "SELECT id, patient_id, type, cert_serial, cert_fingerprint, status, enrolled_ms, last_seq,"
    " q.device_id IS NOT NULL, v.device_id IS NOT NULL FROM devices"
    " LEFT JOIN device_quarantine q ON q.device_id = id"
    " LEFT JOIN device_vitals_only v ON v.device_id = id";

DeviceRecord ReadDevice(const Rows& r, int i) {
  DeviceRecord d;
  d.id = r.Text(i, 0);
  d.patient_id = r.Text(i, 1);
  d.type = r.Text(i, 2);
  d.cert_serial = r.Text(i, 3);
  d.cert_fingerprint = r.Text(i, 4);
  d.status = r.View(i, 5) == "active" ? DeviceStatus::kActive : DeviceStatus::kRevoked;
  d.enrolled_ms = r.Int(i, 6);
  d.last_seq = static_cast<uint64_t>(r.Int(i, 7));
  d.quarantined = r.Int(i, 8) != 0;
  d.vitals_only = r.Int(i, 9) != 0;
  return d;
}

PatientRecord ReadPatient(const Rows& r, int i) {
  return PatientRecord{r.Text(i, 0), r.Text(i, 1), r.Int(i, 2)};
}

const char* StatusText(DeviceStatus s) { return s == DeviceStatus::kActive ? "active" : "revoked"; }

Status Named(Status s, const std::string& what) {
  if (s.code() == StatusCode::kAlreadyExists) return Status::AlreadyExists(what + " exists");
  return s;
}

class PgStore final : public Store {
 public:
  explicit PgStore(const std::string& url) : pool_(url), where_(RedactedStoreUrl(url)) {}

  Status Open(OpenMode mode) {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    if (mode == OpenMode::kCreate) VIGIL_RETURN_IF_ERROR(pg::CreateSchema(*conn));
    VIGIL_RETURN_IF_ERROR(pg::MigrateSchema(*conn));
    VIGIL_RETURN_IF_ERROR(pg::CheckSchema(*conn, where_));
    access_ = pg::MakePgAccessStore(pool_);
    alerts_ = pg::MakePgAlertStore(pool_);
    privacy_ = pg::MakePgPrivacyStore(pool_);
    return Status::Ok();
  }

  Status InsertPatient(const PatientRecord& p, const std::string& wrapped_key) override {
    return Named(
        InTransaction([&](pg::Connection& conn) -> Status {
          VIGIL_RETURN_IF_ERROR(
              conn.Run("INSERT INTO patients (id, sealed_demographics, created_ms)"
                       " VALUES ($1, $2, $3)",
                       Params().Text(p.id).Bytes(p.sealed_demographics).Int(p.created_ms)));
          return conn.Run("INSERT INTO patient_keys (patient_id, wrapped_key) VALUES ($1, $2)",
                          Params().Text(p.id).Bytes(wrapped_key));
        }),
        "patient " + p.id);
  }

  Result<std::optional<PatientRecord>> FindPatient(const std::string& id) override {
    return pg::FindRow(pool_,
                       "SELECT id, sealed_demographics, created_ms FROM patients WHERE id = $1",
                       Params().Text(id), ReadPatient);
  }

  Result<std::vector<PatientRecord>> ListPatients() override {
    return pg::ReadRows(pool_,
                        "SELECT id, sealed_demographics, created_ms FROM patients ORDER BY id", {},
                        ReadPatient);
  }

  Result<std::optional<std::string>> FindPatientKey(const std::string& patient_id) override {
    return pg::FindRow(pool_, "SELECT wrapped_key FROM patient_keys WHERE patient_id = $1",
                       Params().Text(patient_id),
                       [](const Rows& r, int i) { return r.Text(i, 0); });
  }

  Status InsertDevice(const DeviceRecord& d) override {
    Status s = pg::RunPooled(pool_,
                             "INSERT INTO devices (id, patient_id, type, cert_serial,"
                             " cert_fingerprint, status, enrolled_ms, last_seq)"
                             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                             Params()
                                 .Text(d.id)
                                 .Text(d.patient_id)
                                 .Text(d.type)
                                 .Text(d.cert_serial)
                                 .Text(d.cert_fingerprint)
                                 .Text(StatusText(d.status))
                                 .Int(d.enrolled_ms)
                                 .Int(static_cast<int64_t>(d.last_seq)));
    if (s.code() == StatusCode::kFailedPrecondition) {
      return Status::FailedPrecondition("no patient " + d.patient_id);
    }
    return Named(s, "device " + d.id);
  }

  Result<std::optional<DeviceRecord>> FindDevice(const std::string& id) override {
    return pg::FindRow(pool_, kDeviceColumns + " WHERE id = $1", Params().Text(id), ReadDevice);
  }

  Result<std::vector<DeviceRecord>> ListDevices() override {
    return pg::ReadRows(pool_, kDeviceColumns + " ORDER BY id", {}, ReadDevice);
  }

  Status SetDeviceStatus(const std::string& id, DeviceStatus status) override {
    return pg::ChangePooled(pool_, "UPDATE devices SET status = $1 WHERE id = $2",
                            Params().Text(StatusText(status)).Text(id), "no device " + id);
  }

  Status QuarantineDevice(const std::string& id, const std::string& reason, int64_t since_ms,
                          Hold hold) override {
    Status s =
        pg::RunPooled(pool_,
                      std::string("INSERT INTO ") +
                          (hold == Hold::kQuarantine ? "device_quarantine" : "device_vitals_only") +
                          " (device_id, reason, since_ms) VALUES ($1, $2, $3)"
                          " ON CONFLICT (device_id) DO NOTHING",
                      Params().Text(id).Text(reason).Int(since_ms));
    if (s.code() == StatusCode::kFailedPrecondition) {
      return Status::FailedPrecondition("no device " + id);
    }
    return s;
  }

  Status RaiseLastSequence(const std::string& id, uint64_t seq) override {
    if (!model::IsValidSequence(seq)) {
      return Status::InvalidArgument("sequence number out of range");
    }
    return pg::ChangePooled(pool_,
                            "UPDATE devices SET last_seq = GREATEST(last_seq, $1) WHERE id = $2",
                            Params().Int(static_cast<int64_t>(seq)).Text(id), "no device " + id);
  }

  Status ReleaseDevice(const std::string& id) override {
    return pg::ChangePooled(pool_,
                            "WITH restricted AS (DELETE FROM device_vitals_only WHERE device_id ="
                            " $1 RETURNING device_id), quarantined AS (DELETE FROM"
                            " device_quarantine WHERE device_id = $1 RETURNING device_id)"
                            " SELECT device_id FROM restricted UNION ALL SELECT device_id FROM"
                            " quarantined",
                            Params().Text(id), "device " + id + " is not quarantined");
  }

  Status CommitReadings(std::span<const ReadingCommit> commits,
                        const LedgerAppend* ledger) override {
    return InTransaction([&](pg::Connection& conn) -> Status {
      std::optional<uint64_t> index;
      if (ledger) {
        VIGIL_ASSIGN_OR_RETURN(index, pg::WriteLedgerAppend(conn, *ledger));
      }
      return pg::InsertReadings(conn, commits, index);
    });
  }

  Result<std::optional<std::string>> FindReceiptDigest(const std::string& device_id,
                                                       uint64_t seq) override {
    return pg::FindReceiptDigest(pool_, device_id, seq);
  }

  Result<std::vector<SealedObservation>> ListObservations(const std::string& patient_id) override {
    return pg::ListObservations(pool_, patient_id);
  }

  Status VisitObservations(const ObservationQuery& q, const ObservationVisitor& visit) override {
    return pg::VisitObservations(pool_, q, visit);
  }

  Result<uint64_t> CountObservations(const ObservationQuery& q) override {
    return pg::CountObservations(pool_, q);
  }

  Result<std::optional<SealedObservation>> FindObservation(const std::string& patient_id,
                                                           const std::string& id) override {
    return pg::FindObservation(pool_, patient_id, id);
  }

  Status MarkSuspect(const std::string& patient_id, const std::string& device_id,
                     std::span<const uint64_t> seqs, const std::string& reason) override {
    return InTransaction([&](pg::Connection& conn) {
      return pg::InsertSuspects(conn, patient_id, device_id, seqs, reason);
    });
  }

  Result<std::vector<SuspectReading>> SuspectReadings(const std::string& patient_id) override {
    return pg::SuspectReadings(pool_, patient_id);
  }

  Status RecordDeviceActivity(const std::vector<DeviceActivity>& activity) override {
    if (activity.empty()) return Status::Ok();
    std::vector<std::string_view> ids;
    std::vector<int64_t> seen, not_after;
    for (const auto& a : activity) {
      ids.push_back(a.device_id);
      seen.push_back(a.last_seen_ms);
      not_after.push_back(a.cert_not_after_ms);
    }
    return pg::RunPooled(
        pool_,
        "INSERT INTO device_activity AS d (device_id, last_seen_ms, cert_not_after_ms)"
        " SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])"
        " ON CONFLICT (device_id) DO UPDATE SET"
        " last_seen_ms = GREATEST(d.last_seen_ms, excluded.last_seen_ms),"
        " cert_not_after_ms = CASE WHEN excluded.cert_not_after_ms > 0"
        " THEN excluded.cert_not_after_ms ELSE d.cert_not_after_ms END",
        pg::Params().TextArray(ids).IntArray(seen).IntArray(not_after));
  }

  Result<std::vector<DeviceActivity>> ListDeviceActivity() override {
    return pg::ReadRows(pool_,
                        "SELECT device_id, last_seen_ms, cert_not_after_ms FROM device_activity"
                        " ORDER BY device_id",
                        {}, [](const pg::Rows& r, int i) {
                          return DeviceActivity{r.Text(i, 0), r.Int(i, 1), r.Int(i, 2)};
                        });
  }

  Status RecordIntegrityCheck(const IntegrityCheck& c) override {
    return pg::RunPooled(pool_,
                         "INSERT INTO integrity_checks (checked_ms, ledger_size, root_hex,"
                         " checked_by) VALUES ($1, $2, $3, $4)",
                         pg::Params()
                             .Int(c.checked_ms)
                             .Int(static_cast<int64_t>(c.ledger_size))
                             .Text(c.root_hex)
                             .Text(c.by));
  }

  Result<std::optional<IntegrityCheck>> LatestIntegrityCheck() override {
    return pg::FindRow(pool_,
                       "SELECT checked_ms, ledger_size, root_hex, checked_by FROM integrity_checks"
                       " ORDER BY id DESC LIMIT 1",
                       {}, [](const pg::Rows& r, int i) {
                         return IntegrityCheck{r.Int(i, 0), static_cast<uint64_t>(r.Int(i, 1)),
                                               r.Text(i, 2), r.Text(i, 3)};
                       });
  }

  Status AppendLedger(const LedgerAppend& append) override {
    return InTransaction(
        [&](pg::Connection& conn) { return pg::WriteLedgerAppend(conn, append).status(); });
  }

  Result<uint64_t> LedgerSize() override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    return pg::ReadLedgerSize(*conn);
  }

  Result<std::vector<std::string>> LedgerEntries(uint64_t from, uint64_t count) override {
    return pg::ReadLedgerEntries(pool_, from, count);
  }

  Result<std::optional<std::string>> LedgerNode(int level, uint64_t index) override {
    return pg::ReadLedgerNode(pool_, level, index);
  }

  Result<std::vector<LedgerNodeRecord>> LedgerNodesCompletedBy(uint64_t first,
                                                               uint64_t end) override {
    return pg::ReadNodesCompletedBy(pool_, first, end);
  }

  // Nodes are written in the appending transaction: durable with their entries.
  Result<uint64_t> LedgerNodesDurableSize() override { return LedgerSize(); }
  Status SyncLedgerNodes() override { return Status::Ok(); }
  std::pair<std::string, std::string> DescribeLedgerNodes() const override {
    return {"the ledger_nodes table of " + where_,
            "rows deleted, or entries added without their nodes, outside the hub"};
  }

  Status RepairLedgerNodes(uint64_t, uint64_t,
                           const std::vector<LedgerNodeRecord>& nodes) override {
    return InTransaction([&](pg::Connection& conn) { return pg::WriteNodes(conn, nodes); });
  }

  Result<std::unique_ptr<LedgerBatchReader>> ReadLedgerBatches() override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    return pg::MakeLedgerBatchReader(std::move(conn));
  }

  Result<uint64_t> CountUnledgeredRows() override { return pg::CountUnledgered(pool_); }

  Result<std::optional<std::string>> FindReceiptAnomaly() override {
    return pg::FindReceiptAnomaly(pool_);
  }

  Result<bool> LeadCheckpoints() override {
    std::lock_guard lock(lease_mu_);
    if (leading_) {
      if (lease_->Run("SELECT 1").ok()) return true;
      lease_.reset();  // the session, and the lock with it, is gone
      leading_ = false;
    }
    if (!lease_ || !lease_->healthy()) {
      VIGIL_ASSIGN_OR_RETURN(lease_, pg::Connection::Open(pool_.url()));
    }
    VIGIL_ASSIGN_OR_RETURN(Rows taken, lease_->Query("SELECT pg_try_advisory_lock(7100002)"));
    leading_ = taken.size() == 1 && taken.Int(0, 0) != 0;
    return leading_;
  }

  Status InsertCheckpoint(const StoredCheckpoint& checkpoint) override {
    return pg::WriteCheckpoint(pool_, checkpoint);
  }

  Status CosignCheckpoint(uint64_t size, const std::string& cosigned) override {
    return pg::CosignCheckpoint(pool_, size, cosigned);
  }

  Result<std::vector<StoredCheckpoint>> ListCheckpoints() override {
    return pg::ReadCheckpoints(pool_);
  }

  Result<std::optional<StoredCheckpoint>> FindCheckpoint(std::optional<uint64_t> size) override {
    return pg::FindCheckpoint(pool_, size);
  }

  Result<std::vector<IndexedLedgerEntry>> LedgerEntriesAbout(const std::string& patient_id,
                                                             uint64_t limit) override {
    return pg::ReadEntriesAbout(pool_, patient_id, limit);
  }

  // PostgreSQL checks its own pages (data checksums, WAL CRCs); what Vigil checks is that the
  // database is reachable and holds a hub of this schema.
  Status CheckIntegrity() override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    return pg::CheckSchema(*conn, where_);
  }

  bool networked() const override { return true; }

  Status CheckWritable() override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    VIGIL_ASSIGN_OR_RETURN(Rows rows, conn->Query("SELECT pg_is_in_recovery()"));
    if (rows.size() == 1 && rows.Int(0, 0) != 0) {
      return Status::Unavailable("the database " + where_ +
                                 " is a standby in recovery (read-only): a failover is under way");
    }
    return Status::Ok();
  }

  // The server manages its own write-ahead log and free space.
  Status ReclaimSpace() override { return Status::Ok(); }

  Result<std::pair<int64_t, int64_t>> RewrapSecrets(const Rewrap& rewrap) override {
    return pg::RewrapSecrets(pool_, rewrap);
  }

  AccessStore& access() override { return *access_; }
  AlertStore& alerts() override { return *alerts_; }
  PrivacyStore& privacy() override { return *privacy_; }

 private:
  template <typename Body>
  Status InTransaction(Body&& body) {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    return conn->Transaction([&] { return body(*conn); });
  }

  pg::Pool pool_;
  const std::string where_;  // the URL without its password, for messages
  std::mutex lease_mu_;
  std::unique_ptr<pg::Connection> lease_;  // the session that holds (or tries) the signer's lock
  bool leading_ = false;
  std::unique_ptr<AccessStore> access_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<PrivacyStore> privacy_;
};

}  // namespace

bool IsPostgresUrl(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, OpenMode mode) {
  auto store = std::make_unique<PgStore>(url);
  VIGIL_RETURN_IF_ERROR(store->Open(mode));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace vigil::store
