#include "store/group_commit.h"

#include <chrono>

namespace vigil::store {

GroupCommitWriter::GroupCommitWriter(Store& store, size_t max_batch, CommitObserver observer,
                                     CommitFunction commit)
    : store_(store),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      observer_(std::move(observer)),
      commit_(commit ? std::move(commit) : [this](std::span<const ReadingCommit> c) {
        return store_.CommitReadings(c);
      }) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitWriter::~GroupCommitWriter() { Stop(); }

void GroupCommitWriter::Submit(ReadingCommit commit, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(commit), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(Status::Unavailable("the hub is shutting down"));
}

void GroupCommitWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void GroupCommitWriter::Run() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is committed
      if (queue_.size() <= max_batch_) {
        batch.swap(queue_);
      } else {
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + static_cast<long>(max_batch_)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(max_batch_));
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::CommitBatch(std::vector<Pending>& batch) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<ReadingCommit> commits;
  commits.reserve(batch.size());
  for (auto& p : batch) commits.push_back(std::move(p.commit));
  Status status = commit_(commits);
  if (status.ok() || batch.size() == 1) {
    for (auto& p : batch) p.done(status);
  } else {
    // One bad commit must not fail its neighbours: retry each alone.
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i].done(commit_(std::span<const ReadingCommit>(&commits[i], 1)));
    }
  }
  if (observer_) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    observer_({took.count(), batch.size()});
  }
}

}  // namespace vigil::store
