// Where the ledger's signed checkpoints are also kept ([ledger] in config.toml).
#pragma once

#include <string>
#include <vector>

namespace vigil {

// A witness the hub sends its checkpoints to (C2SP tlog-witness).
struct WitnessOptions {
  std::string url;     // its submission prefix: add-checkpoint is <url>/add-checkpoint
  std::string key;     // its cosigner verifier key, "<name>+<hex id>+<base64(0x04 || key)>"
  std::string cafile;  // for https://: the CA of its certificate ("" the system's)
};

// The audit ledger (ledger/): where signed checkpoints are also kept, off the data directory.
struct LedgerOptions {
  // Every signed checkpoint is appended to this file (an absolute path, ideally on another
  // disk or a mount an auditor controls); `vigil verify --checkpoint FILE` then catches a
  // rollback of the whole data directory. "" off.
  std::string checkpoint_log;
  // Witnesses that cosign each checkpoint ([[ledger.witness]] tables): a rollback or fork of
  // the ledger is then refused by every one of them.
  std::vector<WitnessOptions> witnesses;
};

}  // namespace vigil
