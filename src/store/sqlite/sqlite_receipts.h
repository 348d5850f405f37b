// Readings' receipts (one per accepted message) and how one is found by device and sequence
// number. Receipts are appended in commit order; their index by (device, seq) is written in
// sorted batches of kReceiptTailRows, so that a commit writes the receipts' pages at one place
// instead of dirtying a page per device (docs/storage.md, docs/benchmarks.md). A lookup seeks
// the index and then scans the tail not yet indexed. Used by sqlite_readings and SqliteStore.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace vigil::store::sqlite {

// Receipts appended before they are sorted into the index (a lookup scans at most this many
// plus one commit's).
inline constexpr int64_t kReceiptTailRows = 4096;

// Schema version 10: moves existing receipts into commit order (by ledger index) and indexes
// them by device.
Status MoveReceiptsToCommitOrder(Database& db);

// Ok unless a receipt of `device_id` for `seq` is stored (AlreadyExists), looked up in the
// caller's transaction, so receipts the transaction inserted count.
Status CheckNoReceipt(Database& db, std::string_view device_id, uint64_t seq);

// Sorts the receipts appended since the last batch into the index by device once there are
// kReceiptTailRows of them, inside the caller's transaction; true if it did (the tail is then
// empty).
Result<bool> IndexReceiptTail(Database& db);

// The tail's receipts as this process knows them: those in the tail when it opened the store
// and those it committed since, found without scanning the tail. A committed receipt never
// changes, so what it finds is right; what it does not find may still be in the tail (written
// by another process), so FindReceipt answers a miss from the table. Thread-safe.
class RecentReceipts {
 public:
  struct Receipt {
    std::string payload_digest;
    int64_t received_ms = 0;
  };
  // Reads the tail not yet indexed.
  Status Load(Database& db);
  // After a commit: its receipts, or, if the commit indexed the tail, none.
  void Committed(std::span<const ReadingCommit> commits, bool tail_indexed);
  std::optional<Receipt> Find(std::string_view device_id, uint64_t seq) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Receipt> receipts_;  // by Key(device, seq)
};

// The receipt of `device_id` for `seq`, if one is stored: from what `recent` remembers, else
// from the index by device and then the tail.
Result<std::optional<RecentReceipts::Receipt>> FindReceipt(ReaderPool& readers,
                                                           const RecentReceipts& recent,
                                                           const std::string& device_id,
                                                           uint64_t seq);

// A receipt stored twice for one (device, seq), or with a sequence number at or below zero
// (wrapped by a hub that did not range-check them), described; nullopt if none.
Result<std::optional<std::string>> DuplicateReceipts(ReaderPool& readers);

}  // namespace vigil::store::sqlite
