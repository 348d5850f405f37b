// The group-commit writer of accepted readings (core/batch_writer.h over ReadingCommit): many
// readings share one transaction and one fsync.
#pragma once

#include "core/batch_writer.h"
#include "store/store.h"

namespace vigil::store {

class GroupCommitWriter : public BatchWriter<ReadingCommit> {
 public:
  // Commits with `commit`, by default Store::CommitReadings (the hub's version also appends
  // the group's ledger entry in the same transaction).
  GroupCommitWriter(Store& store, size_t max_batch, CommitObserver observer = {},
                    CommitFunction commit = {})
      : BatchWriter(
            max_batch,
            commit ? std::move(commit)
                   : [&store](std::span<const ReadingCommit> c) { return store.CommitReadings(c); },
            std::move(observer)) {}
};

}  // namespace vigil::store
