#include "ledger/ledger.h"

#include "crypto/bytes.h"

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

Result<std::unique_ptr<Ledger>> Ledger::Open(store::Store& store) {
  std::unique_ptr<Ledger> ledger(new Ledger(store));
  std::lock_guard lock(ledger->mu_);
  VIGIL_RETURN_IF_ERROR(ledger->CatchUp());
  return ledger;
}

NodeReader Ledger::nodes() {
  return [this](int level, uint64_t index) -> Result<Hash> {
    VIGIL_ASSIGN_OR_RETURN(auto hash, store_.LedgerNode(level, index));
    if (!hash || hash->size() != 32) {
      return Status::DataLoss("ledger node (" + std::to_string(level) + ", " +
                              std::to_string(index) + ") is missing");
    }
    return ToHash(*hash);
  };
}

Status Ledger::CatchUp() {
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, store_.LedgerSize());
  VIGIL_ASSIGN_OR_RETURN(appender_, MerkleAppender::Resume(size, nodes()));
  return Status::Ok();
}

Status Ledger::Append(const std::vector<LedgerEntry>& entries, const Writer& write) {
  std::lock_guard lock(mu_);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    MerkleAppender next = appender_;
    store::LedgerAppend append;
    append.first_index = next.size();
    for (const auto& entry : entries) {
      append.entries.push_back(EncodeEntry(entry));
      const auto patient = entry.fields.find("patient");
      append.subjects.push_back(patient == entry.fields.end() ? std::string() : patient->second);
      for (const auto& node : next.Append(LeafHash(append.entries.back()))) {
        append.nodes.push_back({node.level, node.index, FromHash(node.hash)});
      }
    }
    Status status = write(append);
    if (status.ok()) {
      appender_ = std::move(next);
      return status;
    }
    if (status.code() != StatusCode::kAborted) return status;
    VIGIL_RETURN_IF_ERROR(CatchUp());  // another process appended: start from its tree
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
  VIGIL_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(checkpoint, key));
  store::StoredCheckpoint stored{checkpoint.size, std::move(note), now_ms};
  VIGIL_RETURN_IF_ERROR(store_.InsertCheckpoint(stored));
  return stored;
}

Result<VerifyReport> VerifyLedger(store::Store& store, std::string_view verifier_key) {
  VerifyReport report;
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, store.LedgerSize());
  VIGIL_ASSIGN_OR_RETURN(auto checkpoints, store.ListCheckpoints());
  size_t next_checkpoint = 0;
  MerkleAppender tree;
  constexpr uint64_t kChunk = 4096;
  for (uint64_t from = 0; from < size; from += kChunk) {
    VIGIL_ASSIGN_OR_RETURN(auto entries, store.LedgerEntries(from, kChunk));
    for (size_t i = 0; i < entries.size(); ++i) {
      const uint64_t index = from + i;
      auto entry = DecodeEntry(entries[i]);
      if (!entry.ok()) {
        return Status::DataLoss("ledger entry " + std::to_string(index) + " is malformed");
      }
      for (const auto& node : tree.Append(LeafHash(entries[i]))) {
        auto stored = store.LedgerNode(node.level, node.index);
        if (!stored.ok() || !*stored || **stored != FromHash(node.hash)) {
          return Status::DataLoss("ledger entry " + std::to_string(index) +
                                  " was altered, removed or reordered (stored tree node " +
                                  std::to_string(node.level) + "/" + std::to_string(node.index) +
                                  ")");
        }
      }
      if (entry->type == EntryType::kReadingBatch) {
        VIGIL_ASSIGN_OR_RETURN(auto rows, store.LedgerBatch(index));
        const size_t count = rows.receipts.size() + rows.observations.size();
        if (BatchDigest(rows.receipts, rows.observations) != entry->fields["digest"] ||
            std::to_string(count) != entry->fields["count"]) {
          return Status::DataLoss("the stored readings of ledger entry " + std::to_string(index) +
                                  " were changed, deleted or added to");
        }
        ++report.batches;
        report.rows += count;
      }
      while (next_checkpoint < checkpoints.size() &&
             checkpoints[next_checkpoint].size == tree.size()) {
        const auto& c = checkpoints[next_checkpoint++];
        auto opened = OpenCheckpoint(c.note, verifier_key);
        if (!opened.ok() || opened->size != c.size || opened->root != tree.Root()) {
          return Status::DataLoss("checkpoint at size " + std::to_string(c.size) +
                                  " does not verify against the recomputed tree");
        }
        ++report.checkpoints;
      }
    }
  }
  report.entries = tree.size();
  if (next_checkpoint < checkpoints.size()) {
    return Status::DataLoss("checkpoint at size " +
                            std::to_string(checkpoints[next_checkpoint].size) +
                            " covers entries that are missing");
  }
  if (!checkpoints.empty() && checkpoints.back().size < report.entries) {
    return Status::DataLoss("ledger entries " + std::to_string(checkpoints.back().size) + ".." +
                            std::to_string(report.entries - 1) +
                            " are not covered by a signed checkpoint (a hub that stopped abruptly "
                            "signs them when it starts again, or run `vigil ledger checkpoint`)");
  }
  if (checkpoints.empty() && report.entries > 0) {
    return Status::DataLoss("the ledger has no signed checkpoint");
  }
  VIGIL_ASSIGN_OR_RETURN(uint64_t loose, store.CountUnledgeredRows());
  if (loose > 0) {
    return Status::DataLoss(std::to_string(loose) +
                            " stored readings are not covered by any ledger entry");
  }
  return report;
}

}  // namespace vigil::ledger
