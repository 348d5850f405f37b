// The reading commit: accepted readings, grouped by one writer thread into one transaction and
// one fsync, each group with its reading_batch ledger entry in the same transaction (or, without
// a ledger, the readings alone: tests and benchmarks). A reading is reported durable only after
// its group's transaction is. The route is ingest -> ledger -> store, all downhill.
//
// A commit whose durability the store cannot vouch for (DataLoss: a failed fsync) stops the
// committer: that group and every later one fail with a DataLoss that says so, for what a disk
// reports after a failed fsync cannot be trusted, and nothing unsynced may be acknowledged. The
// hub must be restarted once the disk is checked.
#pragma once

#include <atomic>
#include <functional>
#include <span>

#include "core/batch_writer.h"
#include "core/clock.h"
#include "core/status.h"
#include "ledger/ledger.h"
#include "store/reading_store.h"

namespace vigil::ingest {

class ReadingCommitter {
 public:
  using CommitObserver = BatchWriter<store::ReadingCommit>::CommitObserver;
  using Done = std::function<void(const Status&)>;
  // `ledger` may be null (no ledger entry); `observer` hears each commit's duration and size.
  ReadingCommitter(store::ReadingStore& store, ledger::Ledger* ledger, const Clock& clock,
                   size_t max_batch, CommitObserver observer = {});

  // Queues `commit`; `done` runs on the writer thread once it is durable or failed to be.
  void Submit(store::ReadingCommit commit, Done done) {
    writer_.Submit(std::move(commit), std::move(done));
  }
  // Commits what is queued, then stops the writer thread. Idempotent.
  void Stop() { writer_.Stop(); }
  // Whether a DataLoss stopped commits for good (until the hub restarts). Thread-safe.
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

 private:
  Status Commit(std::span<const store::ReadingCommit> commits);
  Status CommitToStore(std::span<const store::ReadingCommit> commits);

  store::ReadingStore& store_;
  ledger::Ledger* ledger_;
  const Clock& clock_;
  Status stopped_by_;  // the DataLoss that stopped commits (writer thread only)
  std::atomic<bool> stopped_{false};
  BatchWriter<store::ReadingCommit> writer_;
};

}  // namespace vigil::ingest
