// The audit ledger's Merkle tree nodes (LedgerNodeRecord) in a file of their own beside the
// database. Node (level, i) lives in 32-byte slot (2i + 1) * 2^level - 1 (the in-order "flat
// tree" numbering), so:
//  - the file grows at its end as entries are appended: the nodes that leaves [a, b) complete
//    fill slots [2a, 2b - 1) apart from at most one node per level reaching further back;
//  - any node is one pread away, without a B-tree or a lock;
//  - a slot of a node that is not complete yet holds zeros (or what an append that was rolled
//    back left there) and is never read as a node.
// The file is derived data (the tree can be recomputed from the entries): it is synced in
// batches, and the database records up to which entry it is known durable
// (LedgerStore::LedgerNodesDurableSize). Not thread-safe for writes; reads may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/store.h"

namespace vigil::store {

class LedgerNodeFile {
 public:
  // Opens or creates (mode 0600) the file at `path` through `env`.
  static Result<std::unique_ptr<LedgerNodeFile>> Open(Env& env, const std::string& path);
  ~LedgerNodeFile();
  LedgerNodeFile(const LedgerNodeFile&) = delete;
  LedgerNodeFile& operator=(const LedgerNodeFile&) = delete;

  // Writes `nodes`, the nodes that the leaves [first_leaf, end_leaf) complete, each in its
  // slot (any node may be given; those of these leaves are written in one run).
  Status Write(uint64_t first_leaf, uint64_t end_leaf, std::span<const LedgerNodeRecord> nodes);
  // The node's hash, or nullopt if its slot was never written.
  Result<std::optional<std::string>> Read(int level, uint64_t index) const;
  // The stored nodes that the leaves [first_leaf, end_leaf) complete, in the order an
  // appender reports them (per leaf: the leaf, then each parent it completes); a slot never
  // written gives an empty hash.
  Result<std::vector<LedgerNodeRecord>> ReadCompletedBy(uint64_t first_leaf,
                                                        uint64_t end_leaf) const;
  // Makes everything written so far durable (fdatasync).
  Status Sync();

 private:
  explicit LedgerNodeFile(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}
  Status ReadSlots(uint64_t first_slot, uint64_t count, std::string& out) const;
  Status WriteSlots(uint64_t first_slot, std::string_view bytes);

  std::unique_ptr<RandomAccessFile> file_;
};

}  // namespace vigil::store
