// The group-commit writer: callers on many threads submit accepted readings; one writer thread
// folds whatever is queued (up to a batch limit) into one durable transaction, so many readings
// share one fsync. Each submission's callback runs on the writer thread after its transaction is
// durable (ok) or failed.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace vigil::store {

struct CommitStats {
  double seconds = 0;   // the transaction's wall time, fsync included
  size_t readings = 0;  // how many readings it carried
};

class GroupCommitWriter {
 public:
  using Done = std::function<void(const Status&)>;
  using CommitObserver = std::function<void(const CommitStats&)>;
  // Makes one group durable; by default Store::CommitReadings. The hub's version also appends
  // the group's ledger entry in the same transaction.
  using CommitFunction = std::function<Status(std::span<const ReadingCommit>)>;

  // Starts the writer thread. `observer` (may be empty) is told about every transaction.
  GroupCommitWriter(Store& store, size_t max_batch, CommitObserver observer = {},
                    CommitFunction commit = {});
  // Commits what is queued, then stops.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `commit`; `done` is called exactly once. After Stop, `done` gets Unavailable at once.
  void Submit(ReadingCommit commit, Done done);

  // Commits everything queued so far and stops the thread. Idempotent.
  void Stop();

 private:
  struct Pending {
    ReadingCommit commit;
    Done done;
  };
  void Run();
  void CommitBatch(std::vector<Pending>& batch);

  Store& store_;
  const size_t max_batch_;
  CommitObserver observer_;
  CommitFunction commit_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vigil::store
