// The ledger over an in-memory LedgerStore (tests/unit/memory_ledger_store.h), in the states the
// real store reaches only by faults: a write that fails, another writer that never stops
// appending, tree nodes lost past what was synced.
#include <gtest/gtest.h>

#include "events/audit_records.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "memory_ledger_store.h"

namespace vigil::ledger {
namespace {

LedgerEntry Entry(int64_t time_ms) {
  return events::Record(time_ms,
                        events::audit::PatientAdded{.patient = "p-" + std::to_string(time_ms)});
}

// The root of the entries as stored, computed from nothing else.
Hash RootOfStoredEntries(store::MemoryLedgerStore& store) {
  MerkleAppender tree;
  for (const auto& entry : store.entries()) tree.Append(EntryLeafHash(entry));
  return tree.Root();
}

TEST(LedgerFaultsTest, AFailedWriteLeavesTheLedgerWhereItWasAndTheNextAppendContinues) {
  store::MemoryLedgerStore store;
  auto ledger = Ledger::Open(store);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  ASSERT_TRUE((*ledger)->Append({Entry(1), Entry(2), Entry(3)}).ok());
  const auto root_before = (*ledger)->Root(3);
  ASSERT_TRUE(root_before.ok());

  store.FailNextAppend(Status::IoError("disk full"));
  const Status failed = (*ledger)->Append({Entry(4)});
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_EQ((*ledger)->size(), 3u);
  EXPECT_EQ(store.entries().size(), 3u);

  ASSERT_TRUE((*ledger)->Append({Entry(5)}).ok());
  EXPECT_EQ((*ledger)->size(), 4u);
  auto root = (*ledger)->Root(4);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, RootOfStoredEntries(store));
  EXPECT_EQ(*(*ledger)->Root(3), *root_before);
}

TEST(LedgerFaultsTest, AnotherWritersAppendsAreTakenInAndAWriterThatNeverStopsIsAnError) {
  store::MemoryLedgerStore store;
  auto mine = Ledger::Open(store);
  auto theirs = Ledger::Open(store);
  ASSERT_TRUE(mine.ok() && theirs.ok());
  // Their appends happen inside ours, just before it is written (as another process's would).
  int64_t their_time = 100;
  int their_appends = 1;
  bool inside = false;
  store.BeforeEachAppend([&] {
    if (inside || their_appends == 0) return;
    --their_appends;
    inside = true;
    EXPECT_TRUE((*theirs)->Append({Entry(their_time++)}).ok());
    inside = false;
  });
  // One append of theirs: ours is refused, then written on top of theirs.
  ASSERT_TRUE((*mine)->Append({Entry(1)}).ok());
  EXPECT_EQ(store.entries().size(), 2u);
  EXPECT_EQ((*mine)->size(), 2u);
  EXPECT_EQ(*(*mine)->Root(2), RootOfStoredEntries(store));

  // A writer that appends before every attempt of ours: we give up with a clear error, having
  // written nothing, and the log stays theirs and consistent.
  their_appends = 1000;
  const Status gave_up = (*mine)->Append({Entry(2)});
  EXPECT_EQ(gave_up.code(), StatusCode::kUnavailable) << gave_up.ToString();
  EXPECT_EQ((*theirs)->size(), store.entries().size());
  EXPECT_EQ(*(*theirs)->Root((*theirs)->size()), RootOfStoredEntries(store));
}

TEST(LedgerFaultsTest, NodesLostPastTheSyncedSizeAreRecomputedWhenTheLedgerOpens) {
  store::MemoryLedgerStore store;
  {
    auto ledger = Ledger::Open(store);
    ASSERT_TRUE(ledger.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*ledger)->Append({Entry(i), Entry(100 + i)}).ok());
  }
  store.LoseNodesFrom(7);  // a power cut after entry 6's nodes were synced
  auto reopened = Ledger::Open(store);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->size(), 20u);
  auto root = (*reopened)->Root(20);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(*root, RootOfStoredEntries(store));
  EXPECT_EQ(*store.LedgerNodesDurableSize(), 20u);
}

}  // namespace
}  // namespace vigil::ledger
