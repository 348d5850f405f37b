// An in-memory LedgerStore for unit tests of ledger/: the log, its nodes and checkpoints in
// maps, with failures on command. What the SQLite store does with these tables is tested
// against the real database (store_test, ledger_test); this lets a test put the ledger in
// states the real store reaches only by faults (a failed write, a writer that never stops,
// nodes lost past the durable size).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "store/ledger_store.h"

namespace vigil::store {

class MemoryLedgerStore : public LedgerStore {
 public:
  // The status the next AppendLedger returns instead of writing (once).
  void FailNextAppend(Status status) {
    std::lock_guard lock(mu_);
    next_append_failure_ = std::move(status);
  }
  // Called before every AppendLedger is applied (e.g. to append as another process would).
  void BeforeEachAppend(std::function<void()> hook) { before_append_ = std::move(hook); }
  // Forgets the nodes of entries from `first` on, and marks only those before it durable.
  void LoseNodesFrom(uint64_t first) {
    std::lock_guard lock(mu_);
    for (auto it = nodes_.begin(); it != nodes_.end();) {
      it = it->second.completed_by >= first ? nodes_.erase(it) : std::next(it);
    }
    durable_size_ = first;
  }
  std::vector<std::string> entries() {
    std::lock_guard lock(mu_);
    return entries_;
  }

  Status AppendLedger(const LedgerAppend& append) override {
    if (before_append_) before_append_();
    std::lock_guard lock(mu_);
    if (!next_append_failure_.ok()) return std::exchange(next_append_failure_, Status::Ok());
    if (append.first_index != entries_.size()) return Status::Aborted("another writer appended");
    entries_.insert(entries_.end(), append.entries.begin(), append.entries.end());
    for (const auto& n : append.nodes) nodes_[{n.level, n.index}] = {n.hash, entries_.size() - 1};
    return Status::Ok();
  }
  Result<uint64_t> LedgerSize() override {
    std::lock_guard lock(mu_);
    return static_cast<uint64_t>(entries_.size());
  }
  Result<std::vector<std::string>> LedgerEntries(uint64_t from, uint64_t count) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (uint64_t i = from; i < entries_.size() && i < from + count; ++i)
      out.push_back(entries_[i]);
    return out;
  }
  Result<std::optional<std::string>> LedgerNode(int level, uint64_t index) override {
    std::lock_guard lock(mu_);
    auto it = nodes_.find({level, index});
    if (it == nodes_.end()) return std::optional<std::string>();
    return std::optional(it->second.hash);
  }
  Result<uint64_t> LedgerNodesDurableSize() override {
    std::lock_guard lock(mu_);
    return durable_size_;
  }
  Result<bool> LeadCheckpoints() override { return true; }
  std::pair<std::string, std::string> DescribeLedgerNodes() const override {
    return {"the memory store's nodes", "dropped"};
  }
  Status SyncLedgerNodes() override {
    std::lock_guard lock(mu_);
    durable_size_ = entries_.size();
    return Status::Ok();
  }
  Status RepairLedgerNodes(uint64_t, uint64_t end,
                           const std::vector<LedgerNodeRecord>& nodes) override {
    std::lock_guard lock(mu_);
    for (const auto& n : nodes) nodes_[{n.level, n.index}] = {n.hash, end - 1};
    durable_size_ = std::max(durable_size_, end);
    return Status::Ok();
  }
  Status InsertCheckpoint(const StoredCheckpoint& checkpoint) override {
    std::lock_guard lock(mu_);
    checkpoints_.push_back(checkpoint);
    return Status::Ok();
  }
  Status CosignCheckpoint(uint64_t size, const std::string& cosigned) override {
    std::lock_guard lock(mu_);
    for (auto& c : checkpoints_) {
      if (c.size == size && cosigned.starts_with(c.note)) {
        c.note = cosigned;
        return Status::Ok();
      }
    }
    return Status::NotFound("no such checkpoint");
  }
  Result<std::vector<StoredCheckpoint>> ListCheckpoints() override {
    std::lock_guard lock(mu_);
    return checkpoints_;
  }
  Result<std::optional<StoredCheckpoint>> FindCheckpoint(std::optional<uint64_t> size) override {
    std::lock_guard lock(mu_);
    std::optional<StoredCheckpoint> found;
    for (const auto& c : checkpoints_) {
      if (!size ? (!found || c.size > found->size) : c.size == *size) found = c;
    }
    return found;
  }
  // What only verification asks (it reads the SQLite store): not kept here.
  Result<std::vector<LedgerNodeRecord>> LedgerNodesCompletedBy(uint64_t, uint64_t) override {
    return Status::FailedPrecondition("not kept in memory");
  }
  Result<std::unique_ptr<LedgerBatchReader>> ReadLedgerBatches() override {
    return Status::FailedPrecondition("not kept in memory");
  }
  Result<uint64_t> CountUnledgeredRows() override { return uint64_t{0}; }
  Result<std::optional<std::string>> FindReceiptAnomaly() override {
    return std::optional<std::string>();
  }
  Result<std::vector<IndexedLedgerEntry>> LedgerEntriesAbout(const std::string&,
                                                             uint64_t) override {
    return Status::FailedPrecondition("not kept in memory");
  }

 private:
  struct StoredNode {
    std::string hash;
    uint64_t completed_by = 0;  // the entry whose append completed it
  };
  std::mutex mu_;
  std::vector<std::string> entries_;
  std::map<std::pair<int, uint64_t>, StoredNode> nodes_;
  std::vector<StoredCheckpoint> checkpoints_;
  uint64_t durable_size_ = 0;
  Status next_append_failure_;
  std::function<void()> before_append_;
};

}  // namespace vigil::store
