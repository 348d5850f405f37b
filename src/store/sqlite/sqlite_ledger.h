// The audit ledger's tables in SQLite. Functions on a connection its owner (SqliteStore)
// serializes; each runs inside the caller's transaction when there is one. Private to store/.
#pragma once

#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace vigil::store::sqlite {

// Schema version 2 additions: ledger tables and the rows' ledger_index columns. `migrating`
// adds the columns to version-1 tables (new databases create them with the tables).
Status CreateLedgerSchema(Database& db, bool migrating);

// Appends if the ledger has exactly append.first_index entries; Aborted otherwise.
Status WriteLedgerAppend(Database& db, const LedgerAppend& append);
// Schema version 7: the per-patient subject index as an append-only table merged into a sorted
// one (replaces ledger_entries.subject and its index).
Status CreateSubjectIndex(Database& db);
// How many recent subjects are kept before they are merged into the sorted index (a query reads
// the recent ones by scanning them).
constexpr int64_t kMergeSubjectsAt = 200'000;

Result<uint64_t> ReadLedgerSize(Database& db);
Result<std::vector<std::string>> ReadLedgerEntries(Database& db, uint64_t from, uint64_t count);
Result<std::vector<IndexedLedgerEntry>> ReadLedgerEntriesAbout(Database& db,
                                                               const std::string& subject,
                                                               uint64_t limit);
Result<std::optional<std::string>> ReadLedgerNode(Database& db, int level, uint64_t index);
Result<std::vector<LedgerNodeRecord>> ReadLedgerNodes(Database& db, int level, uint64_t from,
                                                      uint64_t to);
Result<LedgerBatchRows> ReadLedgerBatch(Database& db, uint64_t entry_index);
Result<uint64_t> CountUnledgered(Database& db);
Status WriteCheckpoint(Database& db, const StoredCheckpoint& checkpoint);
Result<std::vector<StoredCheckpoint>> ReadCheckpoints(Database& db);

}  // namespace vigil::store::sqlite
