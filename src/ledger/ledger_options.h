// Where the ledger's signed checkpoints are also kept ([ledger] in config.toml).
#pragma once

#include <string>

namespace vigil {

// The audit ledger (ledger/): where signed checkpoints are also kept, off the data directory.
struct LedgerOptions {
  // Every signed checkpoint is appended to this file (an absolute path, ideally on another
  // disk or a mount an auditor controls); `vigil verify --checkpoint FILE` then catches a
  // rollback of the whole data directory. "" off.
  std::string checkpoint_log;
};

}  // namespace vigil
