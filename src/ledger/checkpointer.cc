#include "ledger/checkpointer.h"

#include "ledger/signed_head.h"

namespace vigil::ledger {

Status Checkpointer::CheckpointIfGrown(int64_t now_ms) {
  if (ledger_.size() == last_size_) return Status::Ok();
  auto made = MakeRememberedCheckpoint(ledger_, devices_, options_.head_path, options_.origin, key_,
                                       now_ms, env_);
  if (!made.ok())
    return Status(made.status().code(), "ledger checkpoint failed: " + made.status().message());
  last_size_ = made->size;
  if (options_.on_signed) options_.on_signed(*made);
  if (options_.checkpoint_log.empty()) return Status::Ok();
  Status logged = AppendCheckpointLog(options_.checkpoint_log, made->note);
  if (!logged.ok()) {
    return Status(logged.code(), "checkpoint not appended to the log: " + logged.message());
  }
  return Status::Ok();
}

}  // namespace vigil::ledger
