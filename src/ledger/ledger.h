// The audit ledger: an append-only RFC 9162 Merkle log of security events kept in the hub's
// store, with signed checkpoints and proofs. One interface for everything that appends; an
// append is durable (in the caller's transaction, or its own) before it returns.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "store/ledger_store.h"

namespace vigil::ledger {

class Ledger {
 public:
  // Resumes the ledger in `store` (which must outlive it).
  static Result<std::unique_ptr<Ledger>> Open(store::LedgerStore& store);

  using Writer = std::function<Status(const store::LedgerAppend&)>;
  // Appends `entries` through `write`, which makes them durable together with whatever the
  // caller writes in the same transaction (store::ReadingStore::CommitReadings). If another hub
  // or process appended meanwhile, the store has the entries placed after its entries while it
  // holds the ledger's order (LedgerAppend::remake), so appenders never starve each other.
  // Thread-safe.
  Status Append(const std::vector<LedgerEntry>& entries, const Writer& write);
  // Appends in a transaction of its own.
  Status Append(const std::vector<LedgerEntry>& entries);

  uint64_t size();
  // Reads the tree's complete nodes (for proofs). Nodes of level kCachedLevel and above (one
  // per 64 entries and fewer) are kept in memory once read or appended: they never change in
  // an append-only tree, and a proof then costs about 6 store reads whatever the tree's size.
  NodeReader nodes();
  static constexpr int kCachedLevel = 6;
  Result<Hash> Root(uint64_t size);

  // Signs and stores a checkpoint of the ledger as it stands, its nodes made durable first.
  Result<store::StoredCheckpoint> MakeCheckpoint(const std::string& origin, const NoteKey& key,
                                                 int64_t now_ms);

 private:
  explicit Ledger(store::LedgerStore& store) : store_(store) {}
  Status CatchUp();  // with mu_ held
  // Recomputes the nodes of the entries whose nodes are not known durable (a power loss may
  // have lost them) from the entries themselves; with mu_ held.
  Status RepairNodes();
  static uint64_t CacheKey(int level, uint64_t index) {
    return (static_cast<uint64_t>(level) << 58) | index;
  }

  store::LedgerStore& store_;
  std::mutex mu_;
  MerkleAppender appender_;
  std::mutex cache_mu_;
  std::unordered_map<uint64_t, Hash> upper_nodes_;  // (level << 58 | index) -> hash
};

}  // namespace vigil::ledger
