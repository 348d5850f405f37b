#include "store/sqlite/sqlite_ledger.h"

#include <algorithm>

#include "store/sqlite/sqlite_readings.h"

namespace vigil::store::sqlite {
namespace {

constexpr std::string_view kLedgerTables = R"sql(
CREATE TABLE ledger_entries (
  idx INTEGER PRIMARY KEY,
  entry BLOB NOT NULL);
CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE ledger_checkpoints (
  size INTEGER PRIMARY KEY,
  note TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
)sql";

// Schema version 7: which patient an entry concerns, for the accounting of disclosures. Appends
// go to an append-only table (its pages are written in order). An index (subject, idx) updated
// on every append dirtied a page per entry once it outgrew the cache: 44k appends/s to 10M.
constexpr std::string_view kSubjectTables = R"sql(
CREATE TABLE ledger_subjects (
  subject TEXT NOT NULL,
  idx INTEGER NOT NULL,
  PRIMARY KEY (subject, idx)) WITHOUT ROWID;
CREATE TABLE ledger_subjects_recent (
  idx INTEGER PRIMARY KEY,
  subject TEXT NOT NULL);
INSERT INTO ledger_subjects (subject, idx)
  SELECT subject, idx FROM ledger_entries WHERE subject IS NOT NULL ORDER BY subject, idx;
DROP INDEX ledger_by_subject;
ALTER TABLE ledger_entries DROP COLUMN subject;
)sql";

// Schema version 8: every kSubjectRunEvery entries the recent subjects are sorted into a run of
// their own, written at the end of the index (run is its first key): a page is written once.
// Version 7 merged them into one sorted table, touching a page per patient every time: the
// merges took a quarter of the append time at 4M entries and grew with the log.
constexpr std::string_view kSubjectRuns = R"sql(
CREATE TABLE ledger_subject_index (
  run INTEGER NOT NULL,
  subject TEXT NOT NULL,
  idx INTEGER NOT NULL,
  PRIMARY KEY (run, subject, idx)) WITHOUT ROWID;
CREATE TABLE ledger_subject_runs (
  run INTEGER PRIMARY KEY,
  rows INTEGER NOT NULL);
INSERT INTO ledger_subject_index (run, subject, idx)
  SELECT 0, subject, idx FROM ledger_subjects ORDER BY subject, idx;
INSERT INTO ledger_subject_runs (run, rows)
  SELECT 0, count(*) FROM ledger_subjects HAVING count(*) > 0;
DROP TABLE ledger_subjects;
)sql";

// Schema version 8: the tree nodes live in a file of their own (store/ledger_node_file.h);
// the database records up to which entry that file is known durable.
constexpr std::string_view kNodeFileTable = R"sql(
CREATE TABLE ledger_node_file (durable_size INTEGER NOT NULL);
INSERT INTO ledger_node_file (durable_size) VALUES (0);
)sql";

constexpr std::string_view kLedgerColumns = R"sql(
ALTER TABLE reading_receipts ADD COLUMN ledger_index INTEGER;
ALTER TABLE observations ADD COLUMN ledger_index INTEGER;
)sql";

}  // namespace

Status CreateLedgerSchema(Database& db, bool migrating) {
  if (migrating) VIGIL_RETURN_IF_ERROR(db.Exec(kLedgerColumns));
  return db.Exec(kLedgerTables);
}

namespace {

// The one integer `sql` selects (0 if it selects no row), on the statement kept prepared.
Result<uint64_t> ReadCount(Database& db, const std::string& sql) {
  auto held = db.Prepared(sql);
  Statement& st = *held;
  VIGIL_RETURN_IF_ERROR(st.prepared());
  const uint64_t value = st.Step() ? static_cast<uint64_t>(st.Int(0)) : 0;
  return Checked(st, value);
}

}  // namespace

Result<uint64_t> ReadLedgerSize(Database& db) {
  return ReadCount(db, "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries");
}

Status CreateSubjectIndex(Database& db) { return db.Exec(kSubjectTables); }

Status CreateSubjectRuns(Database& db) { return db.Exec(kSubjectRuns); }

namespace {

// Sorts the recent subjects into a new run once they span kSubjectRunEvery entries (the
// oldest one's index is one B-tree seek away; a count would read them all on every append).
Status SortRecentSubjects(Database& db, uint64_t end) {
  {
    auto held = db.Prepared("SELECT idx FROM ledger_subjects_recent ORDER BY idx LIMIT 1");
    Statement& oldest = *held;
    VIGIL_RETURN_IF_ERROR(oldest.prepared());
    if (!oldest.Step()) return oldest.status();
    if (end < static_cast<uint64_t>(oldest.Int(0)) + kSubjectRunEvery) return Status::Ok();
  }
  return db.Exec(
      "INSERT INTO ledger_subject_runs (run, rows)"
      " SELECT coalesce(max(run) + 1, 0), (SELECT count(*) FROM ledger_subjects_recent)"
      " FROM ledger_subject_runs;"
      "INSERT INTO ledger_subject_index (run, subject, idx)"
      " SELECT (SELECT max(run) FROM ledger_subject_runs), subject, idx"
      " FROM ledger_subjects_recent ORDER BY subject, idx;"
      "DELETE FROM ledger_subjects_recent;");
}

}  // namespace

Result<uint64_t> WriteLedgerAppend(Database& db, LedgerNodeFile& nodes,
                                   const LedgerAppend& requested) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, ReadLedgerSize(db));
  std::optional<LedgerAppend> remade;
  VIGIL_ASSIGN_OR_RETURN(const LedgerAppend* at, AppendAtSize(requested, size, remade));
  const LedgerAppend& append = *at;
  // Prepared once per connection: an append of a few entries costs little more than its rows.
  auto held_entry = db.Prepared("INSERT INTO ledger_entries (idx, entry) VALUES (?, ?)");
  auto held_subject =
      db.Prepared("INSERT INTO ledger_subjects_recent (idx, subject) VALUES (?, ?)");
  Statement& entry = *held_entry;
  Statement& subject = *held_subject;
  VIGIL_RETURN_IF_ERROR(entry.prepared());
  VIGIL_RETURN_IF_ERROR(subject.prepared());
  bool subjects = false;
  for (size_t i = 0; i < append.entries.size(); ++i) {
    const auto index = static_cast<int64_t>(append.first_index + i);
    entry.Bind(1, index).BindBlob(2, append.entries[i]);
    VIGIL_RETURN_IF_ERROR(entry.Run());
    if (i < append.subjects.size() && !append.subjects[i].empty()) {
      subject.Bind(1, index).Bind(2, append.subjects[i]);
      VIGIL_RETURN_IF_ERROR(subject.Run());
      subjects = true;
    }
  }
  const uint64_t end = append.first_index + append.entries.size();
  VIGIL_RETURN_IF_ERROR(nodes.Write(append.first_index, end, append.nodes));
  // Synced whenever an append crosses a multiple of kSyncNodesEvery: no read on the hot path.
  if (end / kSyncNodesEvery > append.first_index / kSyncNodesEvery) {
    VIGIL_RETURN_IF_ERROR(nodes.Sync());
    VIGIL_RETURN_IF_ERROR(MarkNodesDurable(db, end));
  }
  if (subjects) VIGIL_RETURN_IF_ERROR(SortRecentSubjects(db, end));
  return append.first_index;
}

Result<std::vector<std::string>> ReadLedgerEntries(Database& db, uint64_t from, uint64_t count) {
  Statement st(db.handle(),
               "SELECT entry FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, static_cast<int64_t>(from)).Bind(2, static_cast<int64_t>(from + count));
  std::vector<std::string> out;
  while (st.Step()) out.push_back(st.Blob(0));
  return Checked(st, std::move(out));
}

// One seek per run (CROSS JOIN keeps the runs the outer loop), a scan of the recent ones.
Result<std::vector<IndexedLedgerEntry>> ReadLedgerEntriesAbout(Database& db,
                                                               const std::string& subject,
                                                               uint64_t limit) {
  Statement st(db.handle(),
               "SELECT idx, entry FROM ledger_entries WHERE idx IN"
               " (SELECT s.idx FROM ledger_subject_runs r CROSS JOIN ledger_subject_index s"
               "  ON s.run = r.run AND s.subject = ?1"
               "  UNION ALL SELECT idx FROM ledger_subjects_recent WHERE subject = ?1)"
               " ORDER BY idx LIMIT ?2");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, subject).Bind(2, static_cast<int64_t>(limit));
  std::vector<IndexedLedgerEntry> out;
  while (st.Step()) out.push_back({static_cast<uint64_t>(st.Int(0)), st.Blob(1)});
  return Checked(st, std::move(out));
}

namespace {

Result<std::vector<LedgerNodeRecord>> ReadLedgerNodes(Database& db, int level, uint64_t from,
                                                      uint64_t to) {
  Statement st(db.handle(),
               "SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? AND idx < ?"
               " ORDER BY idx");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, int64_t{level}).Bind(2, static_cast<int64_t>(from)).Bind(3, static_cast<int64_t>(to));
  std::vector<LedgerNodeRecord> out;
  while (st.Step()) out.push_back({level, static_cast<uint64_t>(st.Int(0)), st.Blob(1)});
  return Checked(st, std::move(out));
}

}  // namespace

Status MoveNodesToFile(Database& db, LedgerNodeFile& nodes) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, ReadLedgerSize(db));
  constexpr uint64_t kChunk = 65'536;
  for (uint64_t first = 0; first < size; first += kChunk) {
    const uint64_t end = std::min(size, first + kChunk);
    // Node (level, i) is completed by leaf (i + 1) * 2^level - 1: those of leaves [first, end).
    std::vector<LedgerNodeRecord> chunk;
    for (int level = 0; level < 64 && (end >> level) > 0; ++level) {
      const uint64_t lo = ((first + (uint64_t{1} << level)) >> level) - 1;
      VIGIL_ASSIGN_OR_RETURN(auto stored, ReadLedgerNodes(db, level, lo, end >> level));
      for (auto& n : stored) chunk.push_back(std::move(n));
    }
    VIGIL_RETURN_IF_ERROR(nodes.Write(first, end, chunk));
  }
  VIGIL_RETURN_IF_ERROR(nodes.Sync());
  VIGIL_RETURN_IF_ERROR(db.Exec(kNodeFileTable));
  VIGIL_RETURN_IF_ERROR(MarkNodesDurable(db, size));
  return db.Exec("DROP TABLE ledger_nodes");
}

Result<uint64_t> ReadNodesDurableSize(Database& db) {
  return ReadCount(db, "SELECT durable_size FROM ledger_node_file");
}

Status MarkNodesDurable(Database& db, uint64_t size) {
  auto held = db.Prepared("UPDATE ledger_node_file SET durable_size = max(durable_size, ?)");
  Statement& st = *held;
  st.Bind(1, static_cast<int64_t>(size));
  return st.Run();
}

namespace {

// A statement over rows ordered by ledger index (its column `key`), stepped forward only.
class LedgerOrderedRows {
 public:
  LedgerOrderedRows(sqlite3* db, const std::string& sql, int key) : st_(db, sql), key_(key) {}
  // Steps onto the first row.
  Status Start() {
    VIGIL_RETURN_IF_ERROR(st_.prepared());
    row_ = st_.Step();
    return st_.status();
  }
  // Whether the current row belongs to `index`, after passing over rows of earlier indices.
  bool At(int64_t index) {
    while (row_ && st_.Int(key_) < index) row_ = st_.Step();
    return row_ && st_.Int(key_) == index;
  }
  void Next() { row_ = st_.Step(); }
  const Statement& row() const { return st_; }
  Status status() const { return st_.status(); }

 private:
  Statement st_;
  int key_;
  bool row_ = false;
};

class SqliteLedgerBatchReader final : public LedgerBatchReader {
 public:
  explicit SqliteLedgerBatchReader(ReaderPool::Lease reader)
      : reader_(std::move(reader)),
        receipts_(reader_.handle(),
                  "SELECT device_id, seq, payload_digest, received_ms, ledger_index"
                  " FROM reading_receipts WHERE ledger_index IS NOT NULL"
                  " ORDER BY ledger_index, device_id, seq",
                  4),
        observations_(reader_.handle(),
                      "SELECT " + std::string(kObservationColumns) +
                          ", ledger_index FROM observations WHERE ledger_index IS NOT NULL"
                          " ORDER BY ledger_index, id",
                      7) {}

  // Steps both statements onto their first rows, so that both read from the one snapshot
  // their connection takes now.
  Status Start() {
    VIGIL_RETURN_IF_ERROR(receipts_.Start());
    return observations_.Start();
  }

  Result<LedgerBatchRows> Read(uint64_t entry_index) override {
    const auto index = static_cast<int64_t>(entry_index);
    LedgerBatchRows rows;
    for (; receipts_.At(index); receipts_.Next()) {
      const Statement& r = receipts_.row();
      rows.receipts.push_back(
          {r.Text(0), static_cast<uint64_t>(r.Int(1)), r.Blob(2), r.Int(3), {}});
    }
    VIGIL_RETURN_IF_ERROR(receipts_.status());
    for (; observations_.At(index); observations_.Next()) {
      rows.observations.push_back(ReadObservation(observations_.row()));
    }
    VIGIL_RETURN_IF_ERROR(observations_.status());
    return rows;
  }

 private:
  ReaderPool::Lease reader_;  // first: the statements are finalized before it is returned
  LedgerOrderedRows receipts_, observations_;
};

}  // namespace

Result<std::unique_ptr<LedgerBatchReader>> MakeLedgerBatchReader(ReaderPool::Lease reader) {
  auto batches = std::make_unique<SqliteLedgerBatchReader>(std::move(reader));
  VIGIL_RETURN_IF_ERROR(batches->Start());
  return std::unique_ptr<LedgerBatchReader>(std::move(batches));
}

Result<uint64_t> CountUnledgered(Database& db) {
  Statement st(db.handle(),
               "SELECT (SELECT COUNT(*) FROM reading_receipts WHERE ledger_index IS NULL OR"
               " ledger_index NOT IN (SELECT idx FROM ledger_entries)) +"
               " (SELECT COUNT(*) FROM observations WHERE ledger_index IS NULL OR"
               " ledger_index NOT IN (SELECT idx FROM ledger_entries))");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  const uint64_t n = st.Step() ? static_cast<uint64_t>(st.Int(0)) : 0;
  return Checked(st, n);
}

Status WriteCheckpoint(Database& db, const StoredCheckpoint& c) {
  Statement st(
      db.handle(),
      "INSERT OR IGNORE INTO ledger_checkpoints (size, note, created_ms) VALUES (?, ?, ?)");
  st.Bind(1, static_cast<int64_t>(c.size)).Bind(2, c.note).Bind(3, c.created_ms);
  return st.Run();
}

Status CosignCheckpoint(Database& db, uint64_t size, const std::string& cosigned) {
  // Only more signatures: the stored note must be where the new one begins.
  Statement st(db.handle(),
               "UPDATE ledger_checkpoints SET note = ?1 WHERE size = ?2 AND "
               "substr(?1, 1, length(note)) = note");
  st.Bind(1, cosigned).Bind(2, static_cast<int64_t>(size));
  VIGIL_RETURN_IF_ERROR(st.Run());
  if (sqlite3_changes(db.handle()) != 1) {
    return Status::NotFound("no checkpoint of " + std::to_string(size) + " that this note extends");
  }
  return Status::Ok();
}

Result<std::vector<StoredCheckpoint>> ReadCheckpoints(Database& db) {
  Statement st(db.handle(), "SELECT size, note, created_ms FROM ledger_checkpoints ORDER BY size");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  std::vector<StoredCheckpoint> out;
  while (st.Step()) out.push_back({static_cast<uint64_t>(st.Int(0)), st.Text(1), st.Int(2)});
  return Checked(st, std::move(out));
}

Result<std::optional<StoredCheckpoint>> FindCheckpoint(Database& db, std::optional<uint64_t> size) {
  Statement st(db.handle(), size ? "SELECT size, note, created_ms FROM ledger_checkpoints"
                                   " WHERE size = ?"
                                 : "SELECT size, note, created_ms FROM ledger_checkpoints"
                                   " ORDER BY size DESC LIMIT 1");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  if (size) st.Bind(1, static_cast<int64_t>(*size));
  std::optional<StoredCheckpoint> found;
  if (st.Step()) found = StoredCheckpoint{static_cast<uint64_t>(st.Int(0)), st.Text(1), st.Int(2)};
  return Checked(st, std::move(found));
}

}  // namespace vigil::store::sqlite
