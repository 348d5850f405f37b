// The hub's repository: patients, their wrapped data keys, devices, and sealed readings.
// Implementations: SQLite (store/sqlite/, one node); PostgreSQL later. Every method is
// thread-safe. Nothing in a record is health data in the clear: values, names and birth dates
// are sealed before they reach the store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/access_store.h"
#include "store/alert_store.h"

namespace vigil::store {

struct PatientRecord {
  std::string id;
  std::string sealed_demographics;  // SealedRecord of the FHIR Patient's name and birth date
  int64_t created_ms = 0;
};

enum class DeviceStatus { kActive, kRevoked };

struct DeviceRecord {
  std::string id;
  std::string patient_id;
  std::string type;              // e.g. "pulse-oximeter"
  std::string cert_serial;       // hex serial of the certificate issued at enrolment
  std::string cert_fingerprint;  // hex SHA-256 of that certificate; others are refused
  DeviceStatus status = DeviceStatus::kActive;
  bool quarantined = false;  // held by a containment playbook until released
  int64_t enrolled_ms = 0;
  uint64_t last_seq = 0;  // highest durably accepted sequence number
};

struct SealedObservation {
  std::string id;
  std::string patient_id;
  std::string device_id;
  std::string code;  // LOINC
  int64_t effective_ms = 0;
  uint64_t seq = 0;
  std::string sealed;  // SealedRecord bytes
};

// A stored Observation as a page visit sees it: views into the store's row, valid only for the
// duration of the visitor's call.
struct SealedObservationView {
  std::string_view id, patient_id, device_id, code;
  int64_t effective_ms = 0;
  uint64_t seq = 0;
  std::string_view sealed;

  SealedObservationView() = default;
  explicit SealedObservationView(const SealedObservation& row)
      : id(row.id),
        patient_id(row.patient_id),
        device_id(row.device_id),
        code(row.code),
        effective_ms(row.effective_ms),
        seq(row.seq),
        sealed(row.sealed) {}
};

// Called for each row of a page in order; returning false ends the visit early (not an error).
using ObservationVisitor = std::function<bool(const SealedObservationView&)>;

// One accepted device message: its receipt (which makes resends idempotent and replays
// detectable) and the Observations it produced.
struct ReadingCommit {
  std::string device_id;
  uint64_t seq = 0;
  std::string payload_digest;  // SHA-256 of the payload as received, 32 bytes
  int64_t received_ms = 0;
  std::vector<SealedObservation> observations;
};

// Hashes of complete subtrees of the ledger's Merkle tree (see ledger/merkle.h).
struct LedgerNodeRecord {
  int level = 0;
  uint64_t index = 0;
  std::string hash;  // 32 bytes
};

// Entries to append to the audit ledger, with the tree nodes they complete. Written only if the
// ledger still has exactly `first_index` entries (otherwise Aborted: another writer appended).
struct LedgerAppend {
  uint64_t first_index = 0;
  std::vector<std::string> entries;  // encoded entries (ledger/entry.h)
  // The patient each entry concerns, if any (parallel to `entries`, may be shorter): an index
  // for a patient's accounting of disclosures, not part of what the tree covers.
  std::vector<std::string> subjects;
  std::vector<LedgerNodeRecord> nodes;
};

// The rows a reading-batch ledger entry covers.
struct LedgerBatchRows {
  std::vector<ReadingCommit> receipts;  // device, seq, digest, received (no observations)
  std::vector<SealedObservation> observations;
};

// Reads the stored rows of reading batches in ledger order, in one pass over each table (what
// verification needs: every batch, oldest first). Sees the store as it was when it was made.
class LedgerBatchReader {
 public:
  virtual ~LedgerBatchReader() = default;
  // The rows recorded with ledger index `entry_index` (receipts by device and sequence,
  // Observations by id). Calls must ask for increasing indices; rows of indices never asked
  // for are passed over (Store::CountUnledgeredRows finds rows no entry covers).
  virtual Result<LedgerBatchRows> Read(uint64_t entry_index) = 0;
};

// An entry as stored, with its position in the log.
struct IndexedLedgerEntry {
  uint64_t index = 0;
  std::string entry;
};

// A search of one patient's Observations (FHIR Observation?patient=...).
struct ObservationQuery {
  std::string patient_id;
  std::vector<std::string> codes;  // LOINC codes; empty: any
  std::optional<int64_t> from_ms;  // effective >= from
  std::optional<int64_t> to_ms;    // effective <= to
  bool newest_first = false;
  uint64_t limit = 100;
  uint64_t offset = 0;
};

struct StoredCheckpoint {
  uint64_t size = 0;
  std::string note;  // signed note text
  int64_t created_ms = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Inserts a patient with their data key wrapped by the master key, atomically.
  // AlreadyExists if the id is taken.
  virtual Status InsertPatient(const PatientRecord& patient, const std::string& wrapped_key) = 0;
  virtual Result<std::optional<PatientRecord>> FindPatient(const std::string& id) = 0;
  virtual Result<std::vector<PatientRecord>> ListPatients() = 0;

  // The patient's data key wrapped by the master key, if it exists (it is gone once erased).
  virtual Result<std::optional<std::string>> FindPatientKey(const std::string& patient_id) = 0;

  // AlreadyExists if the id is taken; FailedPrecondition if the patient does not exist.
  virtual Status InsertDevice(const DeviceRecord& device) = 0;
  virtual Result<std::optional<DeviceRecord>> FindDevice(const std::string& id) = 0;
  virtual Result<std::vector<DeviceRecord>> ListDevices() = 0;
  // NotFound if there is no such device.
  virtual Status SetDeviceStatus(const std::string& id, DeviceStatus status) = 0;
  // Raises the device's last_seq to `seq` if it is lower, so that sequence numbers up to it are
  // refused as replays (after a loss of acknowledged readings: `vigil recover`).
  virtual Status RaiseLastSequence(const std::string& id, uint64_t seq) = 0;
  // Quarantines a device (idempotent; FailedPrecondition for an unknown device) or releases it
  // (NotFound if it was not quarantined).
  virtual Status QuarantineDevice(const std::string& id, const std::string& reason,
                                  int64_t since_ms) = 0;
  virtual Status ReleaseDevice(const std::string& id) = 0;

  // Makes all of `commits` durable in one transaction (fsync'd before it returns ok), and
  // raises each device's last_seq. With `ledger`, its entries are appended in the same
  // transaction and the rows are tagged with the batch's entry (ledger->first_index).
  // All or nothing.
  virtual Status CommitReadings(std::span<const ReadingCommit> commits,
                                const LedgerAppend* ledger = nullptr) = 0;

  // The audit ledger's tables (ledger/ledger.h gives them meaning).
  virtual Status AppendLedger(const LedgerAppend& append) = 0;
  virtual Result<uint64_t> LedgerSize() = 0;
  virtual Result<std::vector<std::string>> LedgerEntries(uint64_t from, uint64_t count) = 0;
  // A stored tree node (nullopt if it was never written). Thread-safe, takes no lock.
  virtual Result<std::optional<std::string>> LedgerNode(int level, uint64_t index) = 0;
  // The stored nodes that entries [first, end) complete, in the order MerkleAppender reports
  // them; a node never written has an empty hash (for verification).
  virtual Result<std::vector<LedgerNodeRecord>> LedgerNodesCompletedBy(uint64_t first,
                                                                       uint64_t end) = 0;
  // The nodes are kept where a power loss may lose the latest of them (they can be recomputed
  // from the entries): how many entries' nodes are known durable.
  virtual Result<uint64_t> LedgerNodesDurableSize() = 0;
  // Makes the nodes of every entry appended so far durable.
  virtual Status SyncLedgerNodes() = 0;
  // Writes recomputed nodes of entries [first, end) and makes them durable.
  virtual Status RepairLedgerNodes(uint64_t first, uint64_t end,
                                   const std::vector<LedgerNodeRecord>& nodes) = 0;
  // A reader of reading batches' rows, oldest first (see LedgerBatchReader).
  virtual Result<std::unique_ptr<LedgerBatchReader>> ReadLedgerBatches() = 0;
  // Receipts and Observations that no ledger entry covers.
  virtual Result<uint64_t> CountUnledgeredRows() = 0;
  // A receipt stored twice for one (device, sequence number), or with a sequence number out of
  // range, described for an operator; nullopt if there is none (for verification).
  virtual Result<std::optional<std::string>> FindReceiptAnomaly() = 0;
  virtual Status InsertCheckpoint(const StoredCheckpoint& checkpoint) = 0;
  virtual Result<std::vector<StoredCheckpoint>> ListCheckpoints() = 0;

  // The payload digest of the committed message (device, seq), if there is one.
  virtual Result<std::optional<std::string>> FindReceiptDigest(const std::string& device_id,
                                                               uint64_t seq) = 0;

  // A patient's sealed Observations ordered by effective time, then device, sequence and the
  // order they were made in.
  virtual Result<std::vector<SealedObservation>> ListObservations(
      const std::string& patient_id) = 0;

  // Visits one page of a patient's Observations, ordered by effective time then id, straight
  // from the store's rows (nothing copied). Errors only if the store could not be read.
  virtual Status VisitObservations(const ObservationQuery& q, const ObservationVisitor& visit) = 0;
  // How many Observations `q` matches, ignoring its limit and offset.
  virtual Result<uint64_t> CountObservations(const ObservationQuery& q) = 0;
  // The Observation with `id` of `patient_id`, if there is one.
  virtual Result<std::optional<SealedObservation>> FindObservation(const std::string& patient_id,
                                                                   const std::string& id) = 0;

  // The ledger entries about `patient_id` (LedgerAppend::subjects), oldest first.
  virtual Result<std::vector<IndexedLedgerEntry>> LedgerEntriesAbout(const std::string& patient_id,
                                                                     uint64_t limit) = 0;

  // Checks the database's own structure (pages, B-trees, indexes; SQLite's quick_check).
  // DataLoss naming the database file and the first problem found.
  virtual Status CheckIntegrity() = 0;
  // Gives back to the file system what the store can without losing anything: folds its
  // write-ahead log into the database and truncates the log (for a disk running out of space).
  virtual Status ReclaimSpace() = 0;

  // Users, sessions, care teams, consents and reviews, in the same database.
  virtual AccessStore& access() = 0;
  // The detection engine's alerts, in the same database.
  virtual AlertStore& alerts() = 0;
};

enum class OpenMode { kCreate, kOpenExisting };

// Told before a store of an older schema version is migrated to the current one, which can
// take a while on a large hub (version 10 rewrites the receipts): the two versions.
using MigrationNotice = std::function<void(int from_version, int to_version)>;
// What to tell a user about that migration, in a sentence.
std::string DescribeMigration(int from_version, int to_version);

// Opens (or creates) the SQLite store at `path`: WAL journal, synchronous=FULL, files 0600,
// every file's I/O through `env`. An older store is migrated first (`notice`, if given, is
// told).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode,
                                               const MigrationNotice& notice = {},
                                               Env& env = Env::Default());

}  // namespace vigil::store
