// The audit ledger's storage: encoded entries in order, the Merkle tree's complete nodes,
// signed checkpoints, the per-patient index of entries, and the link from reading batches to
// their rows. ledger/ gives these meaning and depends on this interface alone. Every method
// is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/reading_rows.h"

namespace vigil::store {

// Hashes of complete subtrees of the ledger's Merkle tree (see ledger/merkle.h).
struct LedgerNodeRecord {
  int level = 0;
  uint64_t index = 0;
  std::string hash;  // 32 bytes
};

// Entries to append to the audit ledger, with the tree nodes they complete, made for a ledger
// of `first_index` entries. If the ledger has grown since (another hub or process appended),
// the store asks `remake` for the same entries made for the size it found, while it holds the
// ledger's order so that the size cannot move again; without `remake` it answers Aborted.
struct LedgerAppend {
  uint64_t first_index = 0;
  std::vector<std::string> entries;  // encoded entries (ledger/entry.h)
  // The patient each entry concerns, if any (parallel to `entries`, may be shorter): an index
  // for a patient's accounting of disclosures, not part of what the tree covers.
  std::vector<std::string> subjects;
  std::vector<LedgerNodeRecord> nodes;
  std::function<Result<LedgerAppend>(uint64_t size)> remake;
};

// What a store writes when it finds the ledger holding `size` entries (with the ledger's order
// held): `append` if it was made for that size, else its remake (kept in `remade`); Aborted if
// it has none.
inline Result<const LedgerAppend*> AppendAtSize(const LedgerAppend& append, uint64_t size,
                                                std::optional<LedgerAppend>& remade) {
  if (size == append.first_index) return &append;
  if (!append.remake) {
    return Status::Aborted("the ledger grew to " + std::to_string(size) + " entries meanwhile");
  }
  VIGIL_ASSIGN_OR_RETURN(remade, append.remake(size));
  if (remade->first_index != size) return Status::Internal("a remade ledger append is misplaced");
  return &*remade;
}

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
  // for are passed over (LedgerStore::CountUnledgeredRows finds rows no entry covers).
  virtual Result<LedgerBatchRows> Read(uint64_t entry_index) = 0;
};

// An entry as stored, with its position in the log.
struct IndexedLedgerEntry {
  uint64_t index = 0;
  std::string entry;
};

struct StoredCheckpoint {
  uint64_t size = 0;
  std::string note;  // signed note text
  int64_t created_ms = 0;
};

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;

  // Appends entries and their nodes durably, at append.first_index or where append.remake
  // puts them (see LedgerAppend). ledger/ledger.h gives the tables meaning.
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
  // Where the nodes are kept and how they come to be missing, for messages: e.g. "the
  // ledger's node file (vigil.db-ledger-nodes)" and "truncated or zeroed".
  virtual std::pair<std::string, std::string> DescribeLedgerNodes() const = 0;
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
  // Whether this process is the one that signs checkpoints now (several hubs share a store;
  // one signs). Always for SQLite (one hub per store). On PostgreSQL: the hub holding the
  // signer's advisory lock on a session of its own, taken when free and lost with that session
  // (a hub that stops or loses the database), when another hub takes it at its next try.
  virtual Result<bool> LeadCheckpoints() = 0;
  virtual Status InsertCheckpoint(const StoredCheckpoint& checkpoint) = 0;
  // Replaces the note of the checkpoint of `size` entries by `cosigned`, the same note with
  // more signature lines (witnesses' cosignatures); NotFound unless `cosigned` begins with the
  // stored note.
  virtual Status CosignCheckpoint(uint64_t size, const std::string& cosigned) = 0;
  virtual Result<std::vector<StoredCheckpoint>> ListCheckpoints() = 0;
  // The checkpoint of `size` entries, or the latest one when `size` is nullopt; nullopt if there
  // is none (one row read: a hub signs every few seconds, and keeps every checkpoint).
  virtual Result<std::optional<StoredCheckpoint>> FindCheckpoint(std::optional<uint64_t> size) = 0;

  // The ledger entries about `patient_id` (LedgerAppend::subjects), oldest first.
  virtual Result<std::vector<IndexedLedgerEntry>> LedgerEntriesAbout(const std::string& patient_id,
                                                                     uint64_t limit) = 0;
};

}  // namespace vigil::store
