// Store::ReadLedgerBatches: verification's one pass over each table, in ledger order.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "test_hub.h"

namespace vigil::store {
namespace {

class LedgerBatchReaderTest : public ::testing::Test {
 protected:
  LedgerBatchReaderTest() {
    hub_.Enroll("p-1", "d-1");
    auto ledger = std::move(ledger::Ledger::Open(hub_.store())).value();
    for (uint64_t batch = 0; batch < 10; ++batch) {  // 10 batches of 3 messages, 2 rows each
      std::vector<ReadingCommit> commits;
      for (uint64_t seq = batch * 3 + 1; seq <= batch * 3 + 3; ++seq) {
        ReadingCommit c{"d-1", seq, std::string(32, 'x'), 5, {}};
        c.observations.push_back(
            {"d-1." + std::to_string(seq) + ".0", "p-1", "d-1", "8867-4", 5, seq, "sealed"});
        commits.push_back(std::move(c));
      }
      digests_.push_back(ledger::BatchDigest(commits, {}));
      const ledger::LedgerEntry entry{
          ledger::EntryType::kReadingBatch, 5, {{"count", "6"}, {"digest", digests_.back()}}};
      EXPECT_TRUE(ledger
                      ->Append({entry},
                               [&](const LedgerAppend& a) {
                                 return hub_.store().CommitReadings(commits, &a);
                               })
                      .ok());
    }
  }

  // Runs `sql` on the store's database, beside the store (as someone with the database would).
  void Exec(const std::string& sql) {
    if (testing::TestPostgres()) {
      auto conn = pg::Connection::Open(hub_.location());
      ASSERT_TRUE(conn.ok());
      ASSERT_TRUE((*conn)->Exec(sql).ok());
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((hub_.dir() + "/vigil.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  vigil::testing::TestHub hub_;
  std::vector<std::string> digests_;
};

TEST_F(LedgerBatchReaderTest, ReadsEveryBatchInOrder) {
  auto batches = hub_.store().ReadLedgerBatches();
  ASSERT_TRUE(batches.ok()) << batches.status().ToString();
  for (uint64_t i = 0; i < digests_.size(); ++i) {
    const auto rows = (*batches)->Read(i);
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(rows->receipts.size(), 3u);
    EXPECT_EQ(rows->observations.size(), 3u);
    EXPECT_EQ(ledger::BatchDigest(rows->receipts, rows->observations), digests_[i]) << i;
  }
  EXPECT_TRUE((*batches)->Read(10)->receipts.empty());
}

TEST_F(LedgerBatchReaderTest, PassesOverBatchesNotAskedForAndRowsWithoutAnIndex) {
  const std::vector<ReadingCommit> unledgered{{"d-1", 100, std::string(32, 'y'), 5, {}}};
  ASSERT_TRUE(hub_.store().CommitReadings(unledgered).ok());  // no ledger index
  auto batches = std::move(hub_.store().ReadLedgerBatches()).value();
  for (uint64_t i : {2u, 5u, 9u}) {
    const auto rows = batches->Read(i);
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(ledger::BatchDigest(rows->receipts, rows->observations), digests_[i]) << i;
  }
}

TEST_F(LedgerBatchReaderTest, ARowAddedLaterToAnOldBatchIsReadWithThatBatch) {
  // Written after every other row, as an attacker with the file would: the reader goes by
  // ledger index, not by where the row sits, so the batch's digest no longer matches.
  const std::string zeros =
      testing::TestPostgres() ? "'\\x" + std::string(64, '0') + "'" : "zeroblob(32)";
  Exec(
      "INSERT INTO reading_receipts (device_id, seq, payload_digest, received_ms, ledger_index)"
      " VALUES ('d-1', 1000, " +
      zeros + ", 5, 3)");
  auto batches = std::move(hub_.store().ReadLedgerBatches()).value();
  const auto before = batches->Read(2);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(ledger::BatchDigest(before->receipts, before->observations), digests_[2]);
  const auto tampered = batches->Read(3);
  ASSERT_TRUE(tampered.ok());
  EXPECT_EQ(tampered->receipts.size(), 4u);
  EXPECT_NE(ledger::BatchDigest(tampered->receipts, tampered->observations), digests_[3]);
}

}  // namespace
}  // namespace vigil::store
