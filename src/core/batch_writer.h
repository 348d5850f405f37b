// A batching writer: callers on many threads submit items; one writer thread folds whatever is
// queued (up to a batch limit) into one call of the commit function — one durable transaction,
// so many items share one fsync. Each submission's callback runs on the writer thread after its
// batch is durable (ok) or failed; a failed batch is retried item by item so one bad item does
// not fail its neighbours.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/status.h"

namespace vigil {

struct CommitStats {
  double seconds = 0;  // the transaction's wall time, fsync included
  size_t items = 0;    // how many items it carried
};

template <typename Item>
class BatchWriter {
 public:
  using Done = std::function<void(const Status&)>;
  using CommitFunction = std::function<Status(std::span<const Item>)>;
  using CommitObserver = std::function<void(const CommitStats&)>;

  // Starts the writer thread. `observer` (may be empty) is told about every transaction.
  BatchWriter(size_t max_batch, CommitFunction commit, CommitObserver observer = {})
      : max_batch_(max_batch == 0 ? 1 : max_batch),
        commit_(std::move(commit)),
        observer_(std::move(observer)),
        thread_([this] { Run(); }) {}
  // Commits what is queued, then stops.
  ~BatchWriter() { Stop(); }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Queues `item`; `done` is called exactly once. After Stop, `done` gets Unavailable at once.
  void Submit(Item item, Done done) {
    {
      std::lock_guard lock(mu_);
      if (!stopping_) {
        queue_.push_back({std::move(item), std::move(done)});
        wake_.notify_one();
        return;
      }
    }
    done(Status::Unavailable("the hub is shutting down"));
  }

  // Commits everything queued so far and stops the thread. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_ && !thread_.joinable()) return;
      stopping_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Pending {
    Item item;
    Done done;
  };

  void Run() {
    std::vector<Pending> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything is committed
        if (queue_.size() <= max_batch_) {
          batch.swap(queue_);
        } else {
          const auto end = queue_.begin() + static_cast<long>(max_batch_);
          batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
          queue_.erase(queue_.begin(), end);
        }
      }
      CommitBatch(batch);
      batch.clear();
    }
  }

  void CommitBatch(std::vector<Pending>& batch) {
    const auto started = std::chrono::steady_clock::now();
    std::vector<Item> items;
    items.reserve(batch.size());
    for (auto& p : batch) items.push_back(std::move(p.item));
    const Status status = commit_(items);
    if (status.ok() || batch.size() == 1) {
      for (auto& p : batch) p.done(status);
    } else {
      for (size_t i = 0; i < batch.size(); ++i) {
        batch[i].done(commit_(std::span<const Item>(&items[i], 1)));
      }
    }
    if (observer_) {
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      observer_({took.count(), batch.size()});
    }
  }

  const size_t max_batch_;
  CommitFunction commit_;
  CommitObserver observer_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace vigil
