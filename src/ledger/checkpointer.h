// Signs the ledger's checkpoints as it grows (the hub calls it every few seconds and once as it
// stops): a new checkpoint whenever entries were appended since the last, remembered in the
// head file (signed_head.h) and appended to the public checkpoint log when there is one.
// Called from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/env.h"
#include "core/status.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "store/device_registry.h"

namespace vigil::ledger {

struct CheckpointerOptions {
  std::string origin = {};          // the log's origin line (LedgerOrigin of the hub's name)
  std::string head_path = {};       // <data dir>/ledger.head
  std::string checkpoint_log = {};  // a file each signed checkpoint is appended to; empty: none
  // Called with each checkpoint signed (the witnesses are sent it); may be empty.
  std::function<void(const store::StoredCheckpoint&)> on_signed = {};
};

class Checkpointer {
 public:
  Checkpointer(Ledger& ledger, store::DeviceRegistry& devices, NoteKey key,
               CheckpointerOptions options, Env& env = Env::Default())
      : ledger_(ledger),
        devices_(devices),
        key_(std::move(key)),
        options_(std::move(options)),
        env_(env) {}

  // Signs and remembers a checkpoint if the ledger grew since the last one this made (the
  // first call always signs). An error says which step failed; a checkpoint that was signed
  // but not appended to the log still counts as made.
  Status CheckpointIfGrown(int64_t now_ms);

 private:
  Ledger& ledger_;
  store::DeviceRegistry& devices_;
  NoteKey key_;
  CheckpointerOptions options_;
  Env& env_;
  uint64_t last_size_ = UINT64_MAX;
};

}  // namespace vigil::ledger
