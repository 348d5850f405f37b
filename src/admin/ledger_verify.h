// Verification of the whole audit trail as an auditor runs it (`vigil verify`): the Merkle tree
// recomputed from the entries, every checkpoint, every reading batch against its rows, and the
// authorization records replayed against the access records. Unlike the ledger itself it reads
// the whole store, for it cross-checks the ledger against everything the ledger covers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/checkpoint.h"
#include "store/store.h"

namespace vigil::admin {

struct VerifyReport {
  uint64_t entries = 0;
  std::string root_hex;  // the tree's root hash over those entries
  uint64_t checkpoints = 0;
  uint64_t batches = 0;
  uint64_t rows = 0;  // receipts and Observations checked against their batch digests
  // What is true and worth knowing but lost nothing: entries a checkpoint does not cover yet
  // (a hub that stopped abruptly, or could not write, signs them when it next starts).
  std::vector<std::string> notes;
};

// A signed checkpoint kept outside the store (ledger.head, a checkpoint log, an auditor's
// copy): the store must still hold it. `where` names it in errors.
struct RememberedCheckpoint {
  ledger::Checkpoint checkpoint;
  std::string where;
};

// Recomputes the whole tree from the stored entries and checks every stored node, every
// checkpoint (signature by `verifier_key` and root), every reading batch's digest against its
// rows, that no row is outside a batch, that no receipt is stored twice, and that the store
// holds every one of `remembered`. DataLoss naming the first entry, node, checkpoint or row
// that does not match; FailedPrecondition when the store is behind one of `remembered` (lost
// entries, or a rollback) or differs from it at its size (a rewrite).
Result<VerifyReport> VerifyLedger(store::Store& store, std::string_view verifier_key,
                                  const std::vector<RememberedCheckpoint>& remembered = {});

}  // namespace vigil::admin
