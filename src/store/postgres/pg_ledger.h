// The audit ledger's tables in PostgreSQL: entries, tree nodes by slot, the per-patient
// subject index, checkpoints, and the reader of reading batches that verification walks.
// One row (ledger_head) holds the size: an append updates it from the size it expects, so
// appends from several hubs take one order. Private to store/postgres.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/ledger_store.h"
#include "store/postgres/pg_connection.h"

namespace vigil::store::pg {

// Appends in `conn`'s open transaction at the ledger's end, holding the ledger's order (the
// head row's lock) until that transaction ends: remade there if the ledger grew since the
// append was made (AppendAtSize). The index of the first entry written.
Result<uint64_t> WriteLedgerAppend(Connection& conn, const LedgerAppend& append);
Result<uint64_t> ReadLedgerSize(Connection& conn);
Result<std::vector<std::string>> ReadLedgerEntries(Pool& pool, uint64_t from, uint64_t count);
Result<std::optional<std::string>> ReadLedgerNode(Pool& pool, int level, uint64_t index);
Result<std::vector<LedgerNodeRecord>> ReadNodesCompletedBy(Pool& pool, uint64_t first,
                                                           uint64_t end);
// Writes nodes, replacing any stored at their slots (a repair).
Status WriteNodes(Connection& conn, const std::vector<LedgerNodeRecord>& nodes);
Result<std::vector<IndexedLedgerEntry>> ReadEntriesAbout(Pool& pool, const std::string& subject,
                                                         uint64_t limit);

// A reader over one REPEATABLE READ snapshot taken on `conn` now.
Result<std::unique_ptr<LedgerBatchReader>> MakeLedgerBatchReader(Pool::Lease conn);
Result<uint64_t> CountUnledgered(Pool& pool);
Result<std::optional<std::string>> FindReceiptAnomaly(Pool& pool);

Status WriteCheckpoint(Pool& pool, const StoredCheckpoint& checkpoint);
Status CosignCheckpoint(Pool& pool, uint64_t size, const std::string& cosigned);
Result<std::vector<StoredCheckpoint>> ReadCheckpoints(Pool& pool);
// As LedgerStore::FindCheckpoint.
Result<std::optional<StoredCheckpoint>> FindCheckpoint(Pool& pool, std::optional<uint64_t> size);

}  // namespace vigil::store::pg
