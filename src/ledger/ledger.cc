#include "ledger/ledger.h"

#include <algorithm>
#include <array>
#include <optional>

#include "crypto/bytes.h"
#include "events/audit_fields.h"

namespace vigil::ledger {
namespace {

Hash ToHash(std::string_view bytes) {
  Hash h{};
  std::copy(bytes.begin(), bytes.begin() + static_cast<long>(std::min(bytes.size(), h.size())),
            h.begin());
  return h;
}

std::string FromHash(const Hash& h) { return std::string(h.begin(), h.end()); }

constexpr int kMaxAttempts = 5;

}  // namespace

Result<std::unique_ptr<Ledger>> Ledger::Open(store::LedgerStore& store) {
  std::unique_ptr<Ledger> ledger(new Ledger(store));
  std::lock_guard lock(ledger->mu_);
  VIGIL_RETURN_IF_ERROR(ledger->RepairNodes());
  VIGIL_RETURN_IF_ERROR(ledger->CatchUp());
  return ledger;
}

NodeReader Ledger::nodes() {
  return [this](int level, uint64_t index) -> Result<Hash> {
    const bool cached = level >= kCachedLevel;
    const uint64_t key = CacheKey(level, index);
    if (cached) {
      std::lock_guard lock(cache_mu_);
      if (auto it = upper_nodes_.find(key); it != upper_nodes_.end()) return it->second;
    }
    VIGIL_ASSIGN_OR_RETURN(auto stored, store_.LedgerNode(level, index));
    if (!stored || stored->size() != 32) {
      return Status::DataLoss("ledger node (" + std::to_string(level) + ", " +
                              std::to_string(index) +
                              ") is missing from the ledger's node file (vigil.db-ledger-nodes); "
                              "starting the hub rebuilds missing nodes from the entries");
    }
    const Hash hash = ToHash(*stored);
    if (cached) {
      std::lock_guard lock(cache_mu_);
      upper_nodes_.emplace(key, hash);
    }
    return hash;
  };
}

Status Ledger::CatchUp() {
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, store_.LedgerSize());
  VIGIL_ASSIGN_OR_RETURN(appender_, MerkleAppender::Resume(size, nodes()));
  return Status::Ok();
}

Status Ledger::RepairNodes() {
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, store_.LedgerSize());
  VIGIL_ASSIGN_OR_RETURN(uint64_t durable, store_.LedgerNodesDurableSize());
  durable = std::min(durable, size);
  // A node file cut short (truncated, or restored older than the database) lost the nodes of
  // a suffix of the durable entries: find where they end, and recompute from there.
  const auto has_leaf = [this](uint64_t i) -> Result<bool> {
    VIGIL_ASSIGN_OR_RETURN(auto leaf, store_.LedgerNode(0, i));
    return leaf.has_value();
  };
  if (durable > 0) {
    VIGIL_ASSIGN_OR_RETURN(const bool last_there, has_leaf(durable - 1));
    if (!last_there) {
      uint64_t low = 0, high = durable - 1;  // the first missing leaf is in [low, high]
      while (low < high) {
        const uint64_t mid = low + (high - low) / 2;
        VIGIL_ASSIGN_OR_RETURN(const bool there, has_leaf(mid));
        if (there) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      durable = low;
    }
  }
  if (durable >= size) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(MerkleAppender tree, MerkleAppender::Resume(durable, nodes()));
  constexpr uint64_t kChunk = 16384;
  for (uint64_t first = durable; first < size; first += kChunk) {
    VIGIL_ASSIGN_OR_RETURN(auto entries,
                           store_.LedgerEntries(first, std::min(kChunk, size - first)));
    std::vector<store::LedgerNodeRecord> computed;
    for (const auto& entry : entries) {
      for (const auto& node : tree.Append(EntryLeafHash(entry))) {
        computed.push_back({node.level, node.index, FromHash(node.hash)});
      }
    }
    VIGIL_RETURN_IF_ERROR(store_.RepairLedgerNodes(first, tree.size(), computed));
    if (entries.size() < std::min(kChunk, size - first)) break;  // entries missing: verify says
  }
  return Status::Ok();
}

Status Ledger::Append(const std::vector<LedgerEntry>& entries, const Writer& write) {
  std::lock_guard lock(mu_);
  std::vector<std::string> encoded;  // salted once, whatever index they end up at
  std::vector<std::string> subjects;
  for (const auto& entry : entries) {
    if (entry.salt.empty()) {  // every new entry is salted (version 2; entry.h)
      LedgerEntry salted = entry;
      VIGIL_ASSIGN_OR_RETURN(salted.salt, crypto::RandomBytes(kEntrySaltBytes));
      encoded.push_back(EncodeEntry(salted));
    } else {
      encoded.push_back(EncodeEntry(entry));
    }
    subjects.push_back(events::PatientOf(entry));
  }
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    // The entries placed after the tree `from`; `next` becomes the tree they make, and `placed`
    // their nodes: after a write, those of the append the store wrote (made, or remade).
    std::optional<MerkleAppender> next;
    std::vector<store::LedgerNodeRecord> placed;
    const auto place = [&](MerkleAppender from) {
      store::LedgerAppend append;
      append.first_index = from.size();
      append.entries = encoded;
      append.subjects = subjects;
      for (const auto& e : encoded) {
        for (const auto& node : from.Append(EntryLeafHash(e))) {
          append.nodes.push_back({node.level, node.index, FromHash(node.hash)});
        }
      }
      next.emplace(std::move(from));
      placed = append.nodes;
      return append;
    };
    store::LedgerAppend append = place(appender_);
    // Another hub or process appended: the store holds the ledger's order while the entries are
    // placed again after its tree (read from the store: nothing can append meanwhile).
    append.remake = [&](uint64_t size) -> Result<store::LedgerAppend> {
      VIGIL_ASSIGN_OR_RETURN(auto resumed, MerkleAppender::Resume(size, nodes()));
      return place(std::move(resumed));
    };
    Status status = write(append);
    if (status.ok()) {
      appender_ = std::move(*next);
      std::lock_guard cache_lock(cache_mu_);
      for (const auto& n : placed) {
        if (n.level >= kCachedLevel)
          upper_nodes_.emplace(CacheKey(n.level, n.index), ToHash(n.hash));
      }
      return status;
    }
    if (status.code() != StatusCode::kAborted) return status;
    VIGIL_RETURN_IF_ERROR(CatchUp());  // a store that could not remake: start from its tree
  }
  return Status::Unavailable("the ledger kept moving under concurrent appends");
}

Status Ledger::Append(const std::vector<LedgerEntry>& entries) {
  return Append(entries, [this](const store::LedgerAppend& a) { return store_.AppendLedger(a); });
}

uint64_t Ledger::size() {
  std::lock_guard lock(mu_);
  return appender_.size();
}

Result<Hash> Ledger::Root(uint64_t size) { return RootAt(size, nodes()); }

Result<store::StoredCheckpoint> Ledger::MakeCheckpoint(const std::string& origin,
                                                       const NoteKey& key, int64_t now_ms) {
  Checkpoint checkpoint;
  checkpoint.origin = origin;
  {
    std::lock_guard lock(mu_);
    VIGIL_RETURN_IF_ERROR(CatchUp());
    checkpoint.size = appender_.size();
    checkpoint.root = appender_.Root();
  }
  VIGIL_RETURN_IF_ERROR(store_.SyncLedgerNodes());
  VIGIL_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(checkpoint, key));
  store::StoredCheckpoint stored{checkpoint.size, std::move(note), now_ms};
  VIGIL_RETURN_IF_ERROR(store_.InsertCheckpoint(stored));
  return stored;
}

}  // namespace vigil::ledger
