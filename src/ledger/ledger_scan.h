// Reading the ledger by time: the entries recorded within a period, for breach reports
// and investigations. Entries are appended in time order, give or take the audit writer's
// batching, so the first one is found by a binary search on entry time (widened by a minute),
// and the rest are read in pages until the period is passed.
#pragma once

#include <cstdint>
#include <functional>

#include "core/status.h"
#include "ledger/entry.h"
#include "store/ledger_store.h"

namespace vigil::ledger {

struct ScannedEntry {
  uint64_t index = 0;
  LedgerEntry entry;
};

// Calls `visit` for each entry whose time is within [from_ms, to_ms], in ledger order.
// DataLoss if an entry does not decode.
Status ScanLedgerByTime(store::LedgerStore& store, int64_t from_ms, int64_t to_ms,
                        const std::function<void(const ScannedEntry&)>& visit);

}  // namespace vigil::ledger
