#include "store/sqlite/sqlite_ledger.h"

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
// go to an append-only table (its pages are written in order); every kMergeSubjectsAt of them
// are moved into the sorted index in one ordered pass. An index (subject, idx) updated on every
// append dirtied a page per entry once it outgrew the cache: 44k appends/s to 10M entries.
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

constexpr std::string_view kLedgerColumns = R"sql(
ALTER TABLE reading_receipts ADD COLUMN ledger_index INTEGER;
ALTER TABLE observations ADD COLUMN ledger_index INTEGER;
)sql";

}  // namespace

Status CreateLedgerSchema(Database& db, bool migrating) {
  if (migrating) VIGIL_RETURN_IF_ERROR(db.Exec(kLedgerColumns));
  return db.Exec(kLedgerTables);
}

Result<uint64_t> ReadLedgerSize(Database& db) {
  Statement st(db.handle(), "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  const uint64_t size = st.Step() ? static_cast<uint64_t>(st.Int(0)) : 0;
  return Checked(st, size);
}

Status CreateSubjectIndex(Database& db) { return db.Exec(kSubjectTables); }

namespace {

// Moves the recent subjects into the sorted index once there are enough of them, inserting in
// (subject, idx) order so that each leaf page of the index is written once per merge.
Status MergeRecentSubjects(Database& db) {
  int64_t recent = 0;
  {
    Statement count(db.handle(), "SELECT count(*) FROM ledger_subjects_recent");
    VIGIL_RETURN_IF_ERROR(count.prepared());
    if (count.Step()) recent = count.Int(0);
    VIGIL_RETURN_IF_ERROR(Checked(count, 0).status());
  }
  if (recent < kMergeSubjectsAt) return Status::Ok();
  return db.Exec(
      "INSERT INTO ledger_subjects (subject, idx)"
      " SELECT subject, idx FROM ledger_subjects_recent ORDER BY subject, idx;"
      "DELETE FROM ledger_subjects_recent;");
}

}  // namespace

Status WriteLedgerAppend(Database& db, const LedgerAppend& append) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, ReadLedgerSize(db));
  if (size != append.first_index) {
    return Status::Aborted("the ledger grew to " + std::to_string(size) + " entries meanwhile");
  }
  Statement entry(db.handle(), "INSERT INTO ledger_entries (idx, entry) VALUES (?, ?)");
  Statement subject(db.handle(), "INSERT INTO ledger_subjects_recent (idx, subject) VALUES (?, ?)");
  Statement node(db.handle(), "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)");
  VIGIL_RETURN_IF_ERROR(entry.prepared());
  VIGIL_RETURN_IF_ERROR(subject.prepared());
  VIGIL_RETURN_IF_ERROR(node.prepared());
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
  for (const auto& n : append.nodes) {
    node.Bind(1, int64_t{n.level}).Bind(2, static_cast<int64_t>(n.index)).BindBlob(3, n.hash);
    VIGIL_RETURN_IF_ERROR(node.Run());
  }
  return subjects ? MergeRecentSubjects(db) : Status::Ok();
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

Result<std::vector<IndexedLedgerEntry>> ReadLedgerEntriesAbout(Database& db,
                                                               const std::string& subject,
                                                               uint64_t limit) {
  Statement st(db.handle(),
               "SELECT idx, entry FROM ledger_entries WHERE idx IN"
               " (SELECT idx FROM ledger_subjects WHERE subject = ?1"
               "  UNION ALL SELECT idx FROM ledger_subjects_recent WHERE subject = ?1)"
               " ORDER BY idx LIMIT ?2");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, subject).Bind(2, static_cast<int64_t>(limit));
  std::vector<IndexedLedgerEntry> out;
  while (st.Step()) out.push_back({static_cast<uint64_t>(st.Int(0)), st.Blob(1)});
  return Checked(st, std::move(out));
}

Result<std::optional<std::string>> ReadLedgerNode(Database& db, int level, uint64_t index) {
  Statement st(db.handle(), "SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, int64_t{level}).Bind(2, static_cast<int64_t>(index));
  if (!st.Step()) return Checked(st, std::optional<std::string>());
  return std::optional<std::string>(st.Blob(0));
}

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

Result<LedgerBatchRows> ReadLedgerBatch(Database& db, uint64_t entry_index) {
  LedgerBatchRows rows;
  Statement receipts(db.handle(),
                     "SELECT device_id, seq, payload_digest, received_ms FROM reading_receipts"
                     " WHERE ledger_index = ? ORDER BY device_id, seq");
  VIGIL_RETURN_IF_ERROR(receipts.prepared());
  receipts.Bind(1, static_cast<int64_t>(entry_index));
  while (receipts.Step()) {
    rows.receipts.push_back({receipts.Text(0),
                             static_cast<uint64_t>(receipts.Int(1)),
                             receipts.Blob(2),
                             receipts.Int(3),
                             {}});
  }
  VIGIL_RETURN_IF_ERROR(receipts.status());
  Statement obs(
      db.handle(),
      "SELECT id, patient_id, device_id, code, effective_ms, seq, sealed FROM observations"
      " WHERE ledger_index = ? ORDER BY id");
  VIGIL_RETURN_IF_ERROR(obs.prepared());
  obs.Bind(1, static_cast<int64_t>(entry_index));
  while (obs.Step()) {
    rows.observations.push_back({obs.Text(0), obs.Text(1), obs.Text(2), obs.Text(3), obs.Int(4),
                                 static_cast<uint64_t>(obs.Int(5)), obs.Blob(6)});
  }
  return Checked(obs, std::move(rows));
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

Result<std::vector<StoredCheckpoint>> ReadCheckpoints(Database& db) {
  Statement st(db.handle(), "SELECT size, note, created_ms FROM ledger_checkpoints ORDER BY size");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  std::vector<StoredCheckpoint> out;
  while (st.Step()) out.push_back({static_cast<uint64_t>(st.Int(0)), st.Text(1), st.Int(2)});
  return Checked(st, std::move(out));
}

}  // namespace vigil::store::sqlite
