// What hubs sharing one store rely on, on either backend (SQLite here; PostgreSQL in the
// suite's run under tests/postgres/with_postgres.sh): a (device, sequence number) is stored
// once whoever commits it, concurrent appenders keep one ledger order, and the PostgreSQL
// store's refusals at open are clear.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "test_hub.h"

namespace vigil::store {
namespace {

using vigil::testing::TestHub;

ReadingCommit Message(const std::string& device, const std::string& patient, uint64_t seq) {
  return {device,
          seq,
          std::string(32, static_cast<char>(seq)),
          1795341600000,
          {{device + "." + std::to_string(seq) + ".0", patient, device, "8867-4", 1795341600000,
            seq, "sealed"}}};
}

TEST(SharedStoreTest, AMessageStoredByOneHubIsRefusedToAnotherAndItsCommitChangesNothing) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  hub.Enroll("p-2", "d-2");
  auto other = OpenStore(hub.location(), OpenMode::kOpenExisting);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  const std::vector<ReadingCommit> first{Message("d-1", "p-1", 1)};
  ASSERT_TRUE(hub.store().CommitReadings(first).ok());
  // The other hub got the same message again (a device re-sending after a failover) in a
  // batch with another device's new one: refused whole, the new one too.
  const std::vector<ReadingCommit> again{Message("d-2", "p-2", 1), Message("d-1", "p-1", 1)};
  EXPECT_EQ((*other)->CommitReadings(again).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(hub.store().ListObservations("p-2")->empty());
  EXPECT_FALSE((*other)->FindReceiptDigest("d-2", 1)->has_value());
  EXPECT_EQ((**(*other)->FindDevice("d-2")).last_seq, 0u);
  EXPECT_EQ(*(*other)->FindReceiptDigest("d-1", 1), std::string(32, '\x01'));
  EXPECT_EQ(hub.store().ListObservations("p-1")->size(), 1u);
}

TEST(SharedStoreTest, HubsRecordingADevicesActivityKeepTheLatestTimeAndTheKnownCertificateEnd) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  hub.Enroll("p-2", "d-2");
  auto other = std::move(OpenStore(hub.location(), OpenMode::kOpenExisting)).value();
  ASSERT_TRUE(hub.store().RecordDeviceActivity({{"d-1", 0, 5'000}}).ok());  // enrolled
  ASSERT_TRUE(hub.store().RecordDeviceActivity({{"d-1", 2'000, 0}, {"d-2", 1'000, 9'000}}).ok());
  ASSERT_TRUE(other->RecordDeviceActivity({{"d-1", 1'500, 0}}).ok());  // an older sighting
  ASSERT_TRUE(other->RecordDeviceActivity({}).ok());
  auto listed = other->ListDeviceActivity();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].device_id, "d-1");
  EXPECT_EQ((*listed)[0].last_seen_ms, 2'000);
  EXPECT_EQ((*listed)[0].cert_not_after_ms, 5'000);
  EXPECT_EQ((*listed)[1].last_seen_ms, 1'000);
  EXPECT_EQ((*listed)[1].cert_not_after_ms, 9'000);

  // The latest checkpoint, or one by size, is one row read whichever hub signed it.
  EXPECT_FALSE(hub.store().FindCheckpoint(std::nullopt)->has_value());
  for (uint64_t size : {3, 9, 5}) {
    ASSERT_TRUE(hub.store().InsertCheckpoint({size, "note " + std::to_string(size), 1}).ok());
  }
  EXPECT_EQ((*other->FindCheckpoint(std::nullopt))->size, 9u);
  EXPECT_EQ((*other->FindCheckpoint(5))->note, "note 5");
  EXPECT_FALSE(other->FindCheckpoint(4)->has_value());

  EXPECT_FALSE(hub.store().LatestIntegrityCheck()->has_value());
  ASSERT_TRUE(hub.store().RecordIntegrityCheck({10, 4, "aa", "os:a"}).ok());
  ASSERT_TRUE(other->RecordIntegrityCheck({20, 6, "bb", "os:b"}).ok());
  auto latest = hub.store().LatestIntegrityCheck();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->ledger_size, 6u);
  EXPECT_EQ((*latest)->by, "os:b");
}

TEST(SharedStoreTest, TwoHubsAppendingAtOnceKeepOneLedgerOrderThatVerifies) {
  TestHub hub;
  hub.Enroll("p-1", "d-1");
  hub.Enroll("p-2", "d-2");
  auto second = std::move(OpenStore(hub.location(), OpenMode::kOpenExisting)).value();
  constexpr uint64_t kBatches = 60;
  std::atomic<int> failures{0};
  const auto stream = [&](Store& store, const std::string& device, const std::string& patient) {
    auto ledger = ledger::Ledger::Open(store);
    if (!ledger.ok()) {
      ++failures;
      return;
    }
    for (uint64_t seq = 1; seq <= kBatches; ++seq) {
      const std::vector<ReadingCommit> commits{Message(device, patient, seq)};
      const ledger::LedgerEntry entry{
          ledger::EntryType::kReadingBatch,
          1795341600000,
          {{"count", "2"}, {"digest", ledger::BatchDigest(commits, {})}}};
      const Status appended = (*ledger)->Append(
          {entry}, [&](const LedgerAppend& a) { return store.CommitReadings(commits, &a); });
      if (!appended.ok()) ++failures;
    }
  };
  std::thread one(stream, std::ref(hub.store()), "d-1", "p-1");
  std::thread two(stream, std::ref(*second), "d-2", "p-2");
  one.join();
  two.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*hub.store().LedgerSize(), 2 * kBatches);
  EXPECT_EQ(*second->LedgerSize(), 2 * kBatches);
  EXPECT_EQ(*hub.store().CountUnledgeredRows(), 0u);
  // Every entry's batch is there under its own index, each device's in its order, and a
  // ledger resumed from the store has the tree the two hubs built together.
  const auto entries = *hub.store().LedgerEntries(0, 2 * kBatches);
  auto batches = std::move(hub.store().ReadLedgerBatches()).value();
  std::map<std::string, uint64_t> last_seq;
  for (uint64_t i = 0; i < entries.size(); ++i) {
    const auto entry = ledger::DecodeEntry(entries[i]);
    ASSERT_TRUE(entry.ok());
    const auto rows = batches->Read(i);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->receipts.size(), 1u) << i;
    EXPECT_EQ(ledger::BatchDigest(rows->receipts, rows->observations), entry->fields.at("digest"));
    EXPECT_EQ(rows->receipts[0].seq, ++last_seq[rows->receipts[0].device_id]);
  }
  auto resumed = std::move(ledger::Ledger::Open(*second)).value();
  ledger::MerkleAppender recomputed;
  for (const auto& e : entries) recomputed.Append(ledger::EntryLeafHash(e));
  EXPECT_EQ(*resumed->Root(2 * kBatches), recomputed.Root());
}

TEST(SharedStoreTest, OneStoreAtATimeLeadsCheckpointsAndAnotherTakesOverWhenItGoes) {
  TestHub hub;
  ASSERT_TRUE(*hub.store().LeadCheckpoints());
  ASSERT_TRUE(*hub.store().LeadCheckpoints());  // still
  auto second = std::move(OpenStore(hub.location(), OpenMode::kOpenExisting)).value();
  if (!testing::TestPostgres()) {  // one hub per SQLite store: it always signs
    EXPECT_TRUE(*second->LeadCheckpoints());
    return;
  }
  EXPECT_FALSE(*second->LeadCheckpoints());
  hub.Close();  // the signer's hub stops: its session ends (the server releases the lock as
                // that session's process exits, a moment after the client has gone)
  bool took_over = false;
  for (int i = 0; i < 100 && !took_over; ++i) {
    took_over = *second->LeadCheckpoints();
    if (!took_over) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(took_over);
  hub.Reopen();
  EXPECT_FALSE(*hub.store().LeadCheckpoints());
}

TEST(PostgresStoreTest, OpeningSaysWhatIsWrongWithTheDatabase) {
  if (!testing::TestPostgres()) GTEST_SKIP() << "runs against the suite's PostgreSQL server";
  TestHub hub;
  // A database that holds a hub already is not overwritten.
  const auto again = OpenStore(hub.location(), OpenMode::kCreate);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("holds a hub already"), std::string::npos);
  // An empty database holds no hub: the message says how to make one.
  const std::string empty = testing::CreateTestDatabase();
  const auto none = OpenStore(empty, OpenMode::kOpenExisting);
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("vigil init --store"), std::string::npos);
  testing::DropTestDatabase(empty);
  // A server that is not there: Unavailable, naming where, never the password.
  const auto down = OpenStore("postgresql://vigil:s3cret@127.0.0.1:1/vigil?connect_timeout=2",
                              OpenMode::kOpenExisting);
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_EQ(down.status().message().find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace vigil::store
