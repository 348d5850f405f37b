// The audit ledger's tables in SQLite. Functions on a connection its owner (SqliteStore)
// serializes; each runs inside the caller's transaction when there is one. Private to store/.
#pragma once

#include "store/ledger_node_file.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace vigil::store::sqlite {

// Schema version 2 additions: ledger tables and the rows' ledger_index columns. `migrating`
// adds the columns to version-1 tables (new databases create them with the tables).
Status CreateLedgerSchema(Database& db, bool migrating);

// Appends at the ledger's end (remade there if it grew: AppendAtSize); the index of the first
// entry written. The tree nodes go to `nodes`, synced (and the durable size raised) when the
// append crosses a multiple of kSyncNodesEvery entries.
Result<uint64_t> WriteLedgerAppend(Database& db, LedgerNodeFile& nodes, const LedgerAppend& append);
constexpr uint64_t kSyncNodesEvery = 65'536;
// Schema version 7: the per-patient subject index as an append-only table merged into a sorted
// one (replaces ledger_entries.subject and its index).
Status CreateSubjectIndex(Database& db);
// Schema version 8: the sorted index becomes a list of sorted runs (the version-7 table is
// run 0).
Status CreateSubjectRuns(Database& db);
// How many entries the recent subjects span before they are sorted into a run of their own (a
// query reads the recent ones by scanning them, the runs by one seek each).
constexpr int64_t kSubjectRunEvery = 200'000;
// Schema version 8: the tree nodes move from the ledger_nodes table to `nodes` (synced, and
// recorded durable up to the ledger's size).
Status MoveNodesToFile(Database& db, LedgerNodeFile& nodes);
// How many entries' nodes the node file is known to hold durably (Store::LedgerNodesDurableSize).
Result<uint64_t> ReadNodesDurableSize(Database& db);
// Raises the durable size to `size` (never lowers it).
Status MarkNodesDurable(Database& db, uint64_t size);

Result<uint64_t> ReadLedgerSize(Database& db);
Result<std::vector<std::string>> ReadLedgerEntries(Database& db, uint64_t from, uint64_t count);
Result<std::vector<IndexedLedgerEntry>> ReadLedgerEntriesAbout(Database& db,
                                                               const std::string& subject,
                                                               uint64_t limit);
// Store::ReadLedgerBatches on a reader connection: each table read once in ledger order (no
// index by ledger index: a seek per batch would cost every commit an index entry per row).
Result<std::unique_ptr<LedgerBatchReader>> MakeLedgerBatchReader(ReaderPool::Lease reader);
Result<uint64_t> CountUnledgered(Database& db);
Status WriteCheckpoint(Database& db, const StoredCheckpoint& checkpoint);
Result<std::vector<StoredCheckpoint>> ReadCheckpoints(Database& db);
// As LedgerStore::FindCheckpoint.
Result<std::optional<StoredCheckpoint>> FindCheckpoint(Database& db, std::optional<uint64_t> size);
Status CosignCheckpoint(Database& db, uint64_t size, const std::string& cosigned);

}  // namespace vigil::store::sqlite
