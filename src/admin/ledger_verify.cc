#include "admin/ledger_verify.h"

#include <algorithm>
#include <cstring>
#include <future>
#include <map>
#include <optional>

#include "admin/authorization_replay.h"
#include "crypto/bytes.h"
#include "events/audit_records.h"
#include "ledger/entry.h"
#include "ledger/ledger_key.h"
#include "ledger/merkle.h"

namespace vigil::admin {

using ledger::BatchDigest;
using ledger::CheckEntry;
using ledger::DecodeEntry;
using ledger::EntryLeafHash;
using ledger::EntryType;
using ledger::Hash;
using ledger::MerkleAppender;
using ledger::OpenOwnCheckpoint;

namespace {

struct ComputedNode {
  uint64_t entry;  // the entry whose append completed the node
  MerkleAppender::Node node;
};

// The first computed node whose stored copy differs or is missing, as an error naming its
// entry; the entry's index in `first_bad`. `computed` are the nodes that the entries from
// `first` on completed, in order. Nodes of entries from `durable` on (never covered by a
// checkpoint: signing one syncs the nodes first) may be missing after a power loss
// (Store::LedgerNodesDurableSize): said so, with what recomputes them.
Status CheckStoredNodes(store::LedgerStore& store, uint64_t first, uint64_t durable,
                        const std::vector<ComputedNode>& computed, uint64_t& first_bad) {
  first_bad = UINT64_MAX;
  if (computed.empty()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(auto stored,
                         store.LedgerNodesCompletedBy(first, computed.back().entry + 1));
  for (size_t i = 0; i < computed.size(); ++i) {
    const auto& c = computed[i];
    const bool same =
        i < stored.size() && stored[i].level == c.node.level && stored[i].index == c.node.index &&
        stored[i].hash.size() == c.node.hash.size() &&
        std::memcmp(stored[i].hash.data(), c.node.hash.data(), c.node.hash.size()) == 0;
    if (!same) {
      first_bad = c.entry;
      const bool missing = i < stored.size() && stored[i].hash.empty();
      if (missing && c.entry < durable) {  // the file lost it: the entry itself is checked apart
        return Status(StatusCode::kNotFound, std::to_string(c.entry));
      }
      if (missing) {
        return Status::DataLoss(
            "ledger entry " + std::to_string(c.entry) +
            " has no stored tree node and no signed checkpoint covers it (nor any entry from " +
            std::to_string(durable) +
            " on): appended outside the hub, or by a hub that lost power before syncing its "
            "nodes. If the entries are genuine, starting the hub or `vigil ledger checkpoint` "
            "recomputes the nodes and signs them");
      }
      return Status::DataLoss("ledger entry " + std::to_string(c.entry) +
                              " was altered, removed or reordered (stored tree node " +
                              std::to_string(c.node.level) + "/" + std::to_string(c.node.index) +
                              ")");
    }
  }
  return Status::Ok();
}

// The leaf hashes of `entries`, computed on two threads.
std::vector<Hash> LeafHashes(const std::vector<std::string>& entries) {
  std::vector<Hash> leaves(entries.size());
  const size_t half = entries.size() / 2;
  auto first = std::async(std::launch::async, [&] {
    for (size_t i = 0; i < half; ++i) leaves[i] = EntryLeafHash(entries[i]);
  });
  for (size_t i = half; i < entries.size(); ++i) leaves[i] = EntryLeafHash(entries[i]);
  first.get();
  return leaves;
}

}  // namespace

Result<VerifyReport> VerifyLedger(store::Store& store, std::string_view verifier_key,
                                  const std::vector<RememberedCheckpoint>& remembered) {
  VerifyReport report;
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, store.LedgerSize());
  VIGIL_ASSIGN_OR_RETURN(auto checkpoints, store.ListCheckpoints());
  VIGIL_ASSIGN_OR_RETURN(const uint64_t durable, store.LedgerNodesDurableSize());
  // Made after the size is read: its snapshot holds every batch below `size`.
  VIGIL_ASSIGN_OR_RETURN(auto batches, store.ReadLedgerBatches());
  size_t next_checkpoint = 0;
  std::optional<uint64_t> node_file_gap;  // the first entry whose durable node is missing
  AuthorizationReplay authorization;      // who may do what, as the entries say
  std::optional<std::string> origin;      // what checkpoints are signed for, as entries say
  MerkleAppender tree;
  constexpr uint64_t kChunk = 16384;
  // The next chunk is read from the store while this one is hashed and checked.
  auto fetch = [&store, size](uint64_t from) {
    return from < size ? store.LedgerEntries(from, kChunk)
                       : Result<std::vector<std::string>>(std::vector<std::string>());
  };
  auto next = std::async(std::launch::async, fetch, uint64_t{0});
  for (uint64_t from = 0; from < size; from += kChunk) {
    VIGIL_ASSIGN_OR_RETURN(auto entries, next.get());
    next = std::async(std::launch::async, fetch, from + kChunk);
    const std::vector<Hash> leaves = LeafHashes(entries);
    std::vector<ComputedNode> computed;
    computed.reserve(entries.size() * 2);
    Status entry_failure;  // the first entry of the chunk that fails its own checks
    uint64_t entry_failure_index = UINT64_MAX;
    auto fail = [&](uint64_t index, std::string message) {
      entry_failure = Status::DataLoss(std::move(message));
      entry_failure_index = index;
    };
    for (size_t i = 0; i < entries.size() && entry_failure.ok(); ++i) {
      const uint64_t index = from + i;
      for (const auto& node : tree.Append(leaves[i])) computed.push_back({index, node});
      auto type = CheckEntry(entries[i]);
      if (!type.ok()) {
        fail(index, "ledger entry " + std::to_string(index) + " is malformed");
        break;
      }
      if (AuthorizationReplay::Concerns(*type)) {
        auto entry = DecodeEntry(entries[i]);
        VIGIL_RETURN_IF_ERROR(entry.status());
        authorization.Apply(index, *entry);
      }
      if (*type == EntryType::kLedgerOriginChanged) {
        auto entry = DecodeEntry(entries[i]);
        VIGIL_RETURN_IF_ERROR(entry.status());
        const auto change = events::As<events::audit::LedgerOriginChanged>(*entry);
        // A change repeated after a crash (its entry written, ledger.vkey not yet) is one change.
        if (!change || (origin && *origin != change->old_origin && *origin != change->origin)) {
          fail(index, "ledger entry " + std::to_string(index) +
                          " changes the origin from one the checkpoints were not signed for");
          break;
        }
        origin = change->origin;
      }
      if (*type == EntryType::kReadingBatch) {
        auto entry = DecodeEntry(entries[i]);
        VIGIL_RETURN_IF_ERROR(entry.status());
        VIGIL_ASSIGN_OR_RETURN(auto rows, batches->Read(index));
        const size_t count = rows.receipts.size() + rows.observations.size();
        const auto batch = events::As<events::audit::ReadingBatch>(*entry);
        if (!batch || BatchDigest(rows.receipts, rows.observations) != batch->digest ||
            count != batch->count) {
          fail(index, "the stored readings of ledger entry " + std::to_string(index) +
                          " were changed, deleted or added to");
          break;
        }
        ++report.batches;
        report.rows += count;
      }
      while (next_checkpoint < checkpoints.size() &&
             checkpoints[next_checkpoint].size == tree.size()) {
        const auto& c = checkpoints[next_checkpoint++];
        auto opened = OpenOwnCheckpoint(c.note, verifier_key);
        if (!opened.ok() || opened->size != c.size || opened->root != tree.Root()) {
          fail(index, "checkpoint at size " + std::to_string(c.size) +
                          " does not verify against the recomputed tree");
          break;
        }
        if (origin && opened->origin != *origin) {
          fail(index, "checkpoint at size " + std::to_string(c.size) + " is signed for origin '" +
                          opened->origin + "', but the ledger's origin is '" + *origin +
                          "' and no entry records a change");
          break;
        }
        origin = opened->origin;
        ++report.checkpoints;
      }
      for (const auto& r : remembered) {
        if (r.checkpoint.size == tree.size() && r.checkpoint.root != tree.Root()) {
          fail(index, "the stored ledger differs from the checkpoint this hub signed at " +
                          std::to_string(tree.size()) + " entries (" + r.where +
                          "): it was replaced or rewritten");
        }
      }
      if (!entry_failure.ok()) break;
    }
    // Whichever comes first in the log is named: a node's entry, or an entry's own failure.
    uint64_t first_bad_node = UINT64_MAX;
    const Status nodes = node_file_gap
                             ? Status::Ok()
                             : CheckStoredNodes(store, from, durable, computed, first_bad_node);
    if (nodes.code() == StatusCode::kNotFound) {
      node_file_gap = first_bad_node;  // derived data lost; go on checking the entries
    } else if (!nodes.ok() && first_bad_node <= entry_failure_index) {
      return nodes;
    }
    VIGIL_RETURN_IF_ERROR(entry_failure);
  }
  report.entries = tree.size();
  report.root_hex = crypto::Hex(tree.Root());
  for (const auto& r : remembered) {
    if (r.checkpoint.size <= report.entries) continue;
    return Status::FailedPrecondition(
        "the store holds " + std::to_string(report.entries) +
        " ledger entries, but this hub signed a checkpoint of " +
        std::to_string(r.checkpoint.size) + " (" + r.where + "): its newest " +
        std::to_string(r.checkpoint.size - report.entries) +
        " entries, and what they recorded, were lost or rolled back (a damaged database, or a "
        "data directory restored from an older copy; `vigil recover` reports a loss)");
  }
  if (next_checkpoint < checkpoints.size()) {
    return Status::DataLoss("checkpoint at size " +
                            std::to_string(checkpoints[next_checkpoint].size) +
                            " covers entries that are missing");
  }
  const uint64_t signed_size = checkpoints.empty() ? 0 : checkpoints.back().size;
  if (signed_size < report.entries) {  // whole and consistent, only not signed yet
    report.notes.push_back(
        "ledger entries " + std::to_string(signed_size) + ".." +
        std::to_string(report.entries - 1) +
        " are not yet covered by a signed checkpoint (a hub that stopped abruptly, or could not "
        "write, signs them when it starts again; or run `vigil ledger checkpoint`)");
  }
  VIGIL_ASSIGN_OR_RETURN(uint64_t loose, store.CountUnledgeredRows());
  if (loose > 0) {
    return Status::DataLoss(std::to_string(loose) +
                            " stored readings are not covered by any ledger entry");
  }
  if (node_file_gap) {
    const uint64_t covered = checkpoints.empty() ? 0 : checkpoints.back().size;
    const auto [nodes_name, how_lost] = store.DescribeLedgerNodes();
    return Status::DataLoss(
        nodes_name + " has lost the tree nodes of ledger entry " + std::to_string(*node_file_gap) +
        " on (" + how_lost + "). The entries themselves are not at fault: entries 0.." +
        std::to_string(covered == 0 ? 0 : covered - 1) + " match every signed checkpoint" +
        (covered < report.entries ? ", and later ones are checked when their nodes are rebuilt"
                                  : "") +
        ". Starting the hub, or `vigil ledger checkpoint`, rebuilds the nodes from the entries");
  }
  const std::string published =
      ledger::OriginOfKeyName(verifier_key.substr(0, verifier_key.find('+')));
  if (origin && *origin != published) {
    report.notes.push_back("ledger.vkey names the origin '" + published +
                           "', but the ledger's checkpoints are signed for '" + *origin +
                           "' (the hub rewrites ledger.vkey when it next starts)");
  }
  VIGIL_RETURN_IF_ERROR(authorization.Compare(store, report.notes));
  VIGIL_ASSIGN_OR_RETURN(auto anomaly, store.FindReceiptAnomaly());
  if (anomaly) {
    return Status::DataLoss("a reading is stored twice or out of range: device " + *anomaly +
                            " (written by a hub before sequence numbers were range-checked)");
  }
  return report;
}

}  // namespace vigil::admin
