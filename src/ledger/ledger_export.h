// `vigil ledger export`: the ledger as a bundle of files that any RFC 9162 verifier can check
// with no Vigil code (format in docs/ledger.md).
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "ledger/ledger.h"
#include "store/ledger_store.h"

namespace vigil::ledger {

struct ExportSummary {
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  uint64_t inclusion_proofs = 0;
  uint64_t consistency_proofs = 0;
};

// Inclusion proofs: every entry of ledgers up to this size, an even sample beyond.
inline constexpr uint64_t kMaxInclusionProofs = 10'000;

// Writes into `dir` (created 0700, files 0600: entries name users and patients; refused if it
// exists and is not empty): verifier.key, checkpoint.txt (the latest signed note),
// checkpoints.jsonl, entries.jsonl and proofs.json, up to the latest checkpoint. `progress(done,
// total)` is called as entries are written.
Result<ExportSummary> ExportLedger(store::LedgerStore& store, Ledger& ledger,
                                   const std::string& verifier_key, const std::string& dir,
                                   const std::function<void(uint64_t, uint64_t)>& progress);

}  // namespace vigil::ledger
