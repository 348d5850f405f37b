#include "ingest/reading_committer.h"

#include <string>

#include "events/audit_records.h"

namespace vigil::ingest {

ReadingCommitter::ReadingCommitter(store::ReadingStore& store, ledger::Ledger* ledger,
                                   const Clock& clock, size_t max_batch, CommitObserver observer)
    : store_(store),
      ledger_(ledger),
      clock_(clock),
      writer_(
          max_batch,
          [this](std::span<const store::ReadingCommit> commits) { return Commit(commits); },
          std::move(observer)) {}

Status ReadingCommitter::Commit(std::span<const store::ReadingCommit> commits) {
  if (!stopped_by_.ok()) return stopped_by_;
  Status committed = CommitToStore(commits);
  if (committed.code() == StatusCode::kDataLoss) {
    stopped_by_ = Status::DataLoss("readings are no longer stored: " + committed.message() +
                                   "; restart the hub once the disk is checked");
    stopped_.store(true, std::memory_order_release);
    return stopped_by_;
  }
  return committed;
}

Status ReadingCommitter::CommitToStore(std::span<const store::ReadingCommit> commits) {
  if (!ledger_) return store_.CommitReadings(commits);
  size_t rows = commits.size();
  for (const auto& c : commits) rows += c.observations.size();
  const events::AuditRecord entry = events::Record(
      clock_.NowMillis(),
      events::audit::ReadingBatch{.count = rows, .digest = ledger::BatchDigest(commits, {})});
  return ledger_->Append({entry}, [&](const store::LedgerAppend& append) {
    return store_.CommitReadings(commits, &append);
  });
}

}  // namespace vigil::ingest
