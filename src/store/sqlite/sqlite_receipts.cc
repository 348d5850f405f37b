#include "store/sqlite/sqlite_receipts.h"

namespace vigil::store::sqlite {
namespace {

// Version 10. `receipts_indexed.through` is the last receipt (rowid) in `receipts_by_device`;
// later ones are the tail. Rows keep their commit order: NULL ledger indexes (readings stored
// before the ledger existed) first, then by ledger index. No foreign key: the commit checks
// each device once (InsertReadings), not once a row.
constexpr std::string_view kCommitOrderReceipts = R"sql(
ALTER TABLE reading_receipts RENAME TO reading_receipts_by_device_v9;
CREATE TABLE reading_receipts (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  payload_digest BLOB NOT NULL,
  received_ms INTEGER NOT NULL,
  ledger_index INTEGER);
INSERT INTO reading_receipts (device_id, seq, payload_digest, received_ms, ledger_index)
  SELECT device_id, seq, payload_digest, received_ms, ledger_index
  FROM reading_receipts_by_device_v9 ORDER BY ledger_index, received_ms, device_id, seq;
DROP TABLE reading_receipts_by_device_v9;
CREATE TABLE receipts_by_device (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  receipt INTEGER NOT NULL,
  PRIMARY KEY (device_id, seq)) WITHOUT ROWID;
INSERT INTO receipts_by_device (device_id, seq, receipt)
  SELECT device_id, seq, rowid FROM reading_receipts ORDER BY device_id, seq;
CREATE TABLE receipts_indexed (through INTEGER NOT NULL);
INSERT INTO receipts_indexed SELECT coalesce(max(rowid), 0) FROM reading_receipts;
)sql";

std::string Key(std::string_view device_id, uint64_t seq) {
  std::string key(device_id);
  key += '\0';  // not in a device id
  key += std::to_string(seq);
  return key;
}

// Receipt `?1` sequence `?2` (a device id and a sequence number, bound in that order): its
// payload_digest and received_ms, from the index by device, else from the tail; or no row.
const std::string kReceiptOfDeviceSeq =
    "SELECT r.payload_digest, r.received_ms FROM receipts_by_device i"
    " JOIN reading_receipts r ON r.rowid = i.receipt WHERE i.device_id = ?1 AND i.seq = ?2"
    " UNION ALL SELECT payload_digest, received_ms FROM reading_receipts"
    " WHERE rowid > (SELECT through FROM receipts_indexed) AND device_id = ?1 AND seq = ?2"
    " LIMIT 1";

}  // namespace

Status MoveReceiptsToCommitOrder(Database& db) { return db.Exec(kCommitOrderReceipts); }

Status CheckNoReceipt(Database& db, std::string_view device_id, uint64_t seq) {
  auto held = db.Prepared(kReceiptOfDeviceSeq);
  Statement& st = *held;
  VIGIL_RETURN_IF_ERROR(st.prepared());
  st.Bind(1, device_id).Bind(2, static_cast<int64_t>(seq));
  if (st.Step()) {
    return Status::AlreadyExists("a receipt of device " + std::string(device_id) +
                                 " for sequence number " + std::to_string(seq) + " exists");
  }
  return st.status();
}

Result<bool> IndexReceiptTail(Database& db) {
  int64_t through = 0, last = 0;
  {
    auto held = db.Prepared(
        "SELECT through, (SELECT coalesce(max(rowid), 0) FROM reading_receipts)"
        " FROM receipts_indexed");
    Statement& st = *held;
    VIGIL_RETURN_IF_ERROR(st.prepared());
    if (!st.Step()) {
      return st.status().ok() ? Status::Internal("receipts_indexed has no row") : st.status();
    }
    through = st.Int(0);
    last = st.Int(1);
  }
  if (last - through < kReceiptTailRows) return false;
  // The commit checks each receipt's uniqueness (CheckNoReceipt), so the index's key never
  // collides; a store that holds duplicates anyway (written by a hub before sequence numbers
  // were range-checked) must not fail every later commit of every device: the batch is then
  // indexed without the repeats, which `vigil verify` names (DuplicateReceipts).
  const auto index_tail = [&](const char* verb) {
    auto held_index = db.Prepared(std::string(verb) +
                                  " INTO receipts_by_device (device_id, seq, receipt) SELECT"
                                  " device_id, seq, rowid FROM reading_receipts"
                                  " WHERE rowid > ?1 AND rowid <= ?2 ORDER BY device_id, seq");
    Statement& index = *held_index;
    VIGIL_RETURN_IF_ERROR(index.prepared());
    index.Bind(1, through).Bind(2, last);
    return index.Run();
  };
  VIGIL_RETURN_IF_ERROR(db.Exec("SAVEPOINT index_tail"));
  if (!index_tail("INSERT").ok()) {
    VIGIL_RETURN_IF_ERROR(db.Exec("ROLLBACK TO index_tail"));
    VIGIL_RETURN_IF_ERROR(index_tail("INSERT OR IGNORE"));
  }
  VIGIL_RETURN_IF_ERROR(db.Exec("RELEASE index_tail"));
  auto held_through = db.Prepared("UPDATE receipts_indexed SET through = ?");
  Statement& mark = *held_through;
  VIGIL_RETURN_IF_ERROR(mark.prepared());
  mark.Bind(1, last);
  VIGIL_RETURN_IF_ERROR(mark.Run());
  return true;
}

Result<std::optional<std::string>> DuplicateReceipts(ReaderPool& readers) {
  return FindRow(
      readers,
      "SELECT device_id || ' sequence number ' || seq || ' (' || count(*) || ' receipts)'"
      " FROM reading_receipts GROUP BY device_id, seq HAVING count(*) > 1 OR seq <= 0 LIMIT 1",
      [](const Statement& st) { return st.Text(0); });
}

Status RecentReceipts::Load(Database& db) {
  Statement st(db.handle(),
               "SELECT device_id, seq, payload_digest, received_ms FROM reading_receipts"
               " WHERE rowid > (SELECT through FROM receipts_indexed)");
  VIGIL_RETURN_IF_ERROR(st.prepared());
  std::lock_guard lock(mu_);
  receipts_.clear();
  while (st.Step()) {
    receipts_[Key(st.TextView(0), static_cast<uint64_t>(st.Int(1)))] = {st.Blob(2), st.Int(3)};
  }
  return st.status();
}

void RecentReceipts::Committed(std::span<const ReadingCommit> commits, bool tail_indexed) {
  std::lock_guard lock(mu_);
  if (tail_indexed) {
    receipts_.clear();
    return;
  }
  for (const ReadingCommit& c : commits) {
    receipts_[Key(c.device_id, c.seq)] = {c.payload_digest, c.received_ms};
  }
}

std::optional<RecentReceipts::Receipt> RecentReceipts::Find(std::string_view device_id,
                                                            uint64_t seq) const {
  std::lock_guard lock(mu_);
  const auto it = receipts_.find(Key(device_id, seq));
  if (it == receipts_.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<RecentReceipts::Receipt>> FindReceipt(ReaderPool& readers,
                                                           const RecentReceipts& recent,
                                                           const std::string& device_id,
                                                           uint64_t seq) {
  if (auto remembered = recent.Find(device_id, seq)) return remembered;
  return FindRow(
      readers, kReceiptOfDeviceSeq,
      [](const Statement& st) {
        return RecentReceipts::Receipt{st.Blob(0), st.Int(1)};
      },
      device_id, static_cast<int64_t>(seq));
}

}  // namespace vigil::store::sqlite
