#include "store/ledger_node_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "admin/ledger_verify.h"
#include "crypto/ed25519.h"
#include "ledger/ledger.h"
#include "store/ledger_slots.h"
#include "test_hub.h"

namespace vigil::store {
namespace {

std::string Bytes(const ledger::Hash& h) { return std::string(h.begin(), h.end()); }

// Appends `count` leaves to `tree` and returns the nodes they complete, as a store gets them.
std::vector<LedgerNodeRecord> Grow(ledger::MerkleAppender& tree, uint64_t count) {
  std::vector<LedgerNodeRecord> nodes;
  for (uint64_t i = 0; i < count; ++i) {
    for (const auto& n : tree.Append(ledger::LeafHash("entry-" + std::to_string(tree.size())))) {
      nodes.push_back({n.level, n.index, Bytes(n.hash)});
    }
  }
  return nodes;
}

TEST(LedgerNodeFileTest, EveryNodeReadsBackFromItsSlotWhateverTheBatches) {
  vigil::testing::TestHub hub;
  auto file = std::move(LedgerNodeFile::Open(Env::Default(), hub.dir() + "/nodes")).value();
  ledger::MerkleAppender tree;
  std::vector<LedgerNodeRecord> all;
  for (uint64_t batch : {1, 1, 5, 64, 3, 200, 1, 1000, 7}) {
    const uint64_t first = tree.size();
    auto nodes = Grow(tree, batch);
    ASSERT_TRUE(file->Write(first, tree.size(), nodes).ok());
    all.insert(all.end(), nodes.begin(), nodes.end());
  }
  ASSERT_TRUE(file->Sync().ok());
  for (const auto& n : all) {
    auto read = file->Read(n.level, n.index);
    ASSERT_TRUE(read.ok() && read->has_value()) << n.level << "/" << n.index;
    EXPECT_EQ(**read, n.hash);
  }
  // The order MerkleAppender reports them in, for any range of leaves.
  auto completed = file->ReadCompletedBy(0, tree.size());
  ASSERT_TRUE(completed.ok());
  ASSERT_EQ(completed->size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ((*completed)[i].level, all[i].level);
    EXPECT_EQ((*completed)[i].index, all[i].index);
    EXPECT_EQ((*completed)[i].hash, all[i].hash);
  }
  auto middle = file->ReadCompletedBy(70, 300);
  ASSERT_TRUE(middle.ok());
  EXPECT_EQ(middle->front().index, 70u);
  EXPECT_EQ(middle->back().level, 2);  // leaf 299 completes (1, 149) and (2, 74)
  // Nodes not complete yet, and slots beyond the end, are absent.
  EXPECT_FALSE(file->Read(10, 5)->has_value());
  EXPECT_FALSE(file->Read(0, tree.size() + 10)->has_value());
}

TEST(LedgerNodeFileTest, FileIsPrivate) {
  vigil::testing::TestHub hub;
  ASSERT_TRUE(LedgerNodeFile::Open(Env::Default(), hub.dir() + "/nodes").ok());
  EXPECT_EQ(
      std::filesystem::status(hub.dir() + "/nodes").permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// An access entry about patient p-(i % 3).
ledger::LedgerEntry Access(int i) {
  return {ledger::EntryType::kAccess,
          1795341600000 + i,
          {{"user", "u-" + std::to_string(i)}, {"patient", "p-" + std::to_string(i % 3)}}};
}

class LedgerRecoveryTest : public ::testing::Test {
 protected:
  // Appends `count` entries in batches of 10 and signs a checkpoint.
  void AppendAndSign(int count) {
    auto ledger = std::move(ledger::Ledger::Open(hub_.store())).value();
    for (int i = 0; i < count; i += 10) {
      std::vector<ledger::LedgerEntry> batch;
      for (int j = i; j < i + 10 && j < count; ++j) batch.push_back(Access(j));
      ASSERT_TRUE(ledger->Append(batch).ok());
    }
    ASSERT_TRUE(ledger->MakeCheckpoint("test-hub/ledger", key_, 1).ok());
  }
  Result<admin::VerifyReport> Verify(Store& store) {
    return admin::VerifyLedger(store, ledger::VerifierKey(key_.name, key_.public_key));
  }

  vigil::testing::TestHub hub_;
  const crypto::Ed25519KeyPair pair_ = *crypto::GenerateEd25519();
  const ledger::NoteKey key_{"test-hub", pair_.private_key, pair_.public_key};
};

// What a power loss may do to the node file: lose every slot written since its last sync, here
// the nodes of entries [first, end).
void LoseNodesOf(const std::string& dir, uint64_t first, uint64_t end) {
  auto store = std::move(OpenSqliteStore(dir + "/vigil.db", OpenMode::kOpenExisting)).value();
  auto lost = *store->LedgerNodesCompletedBy(first, end);
  const int fd = ::open((dir + "/vigil.db-ledger-nodes").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  const std::string zeros(32, '\0');
  for (const auto& n : lost) {
    const auto offset = static_cast<off_t>(LedgerNodeSlot(n.level, n.index) * 32);
    ASSERT_EQ(::pwrite(fd, zeros.data(), zeros.size(), offset), 32);
  }
  ::close(fd);
}

TEST_F(LedgerRecoveryTest, NodesLostToAPowerLossAreRecomputedWhenTheLedgerOpens) {
  VIGIL_SQLITE_ONLY();  // PostgreSQL commits the nodes with their entries
  vigil::testing::TestHub& hub = hub_;
  AppendAndSign(500);
  EXPECT_EQ(*hub.store().LedgerNodesDurableSize(), 500u) << "a checkpoint syncs the nodes";
  {
    auto ledger = std::move(ledger::Ledger::Open(hub.store())).value();
    for (int i = 500; i < 700; ++i) ASSERT_TRUE(ledger->Append({Access(i)}).ok());
  }
  EXPECT_EQ(*hub.store().LedgerNodesDurableSize(), 500u) << "not synced before 65,536 more";
  LoseNodesOf(hub.dir(), 500, 700);
  EXPECT_FALSE(hub.store().LedgerNode(0, 600)->has_value());
  auto before = Verify(hub.store());  // says what happened and what recomputes the nodes
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.status().message().find("ledger entry 500 has no stored tree node"),
            std::string::npos)
      << before.status().ToString();

  auto ledger = ledger::Ledger::Open(hub.store());  // as a hub does when it starts again
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  EXPECT_EQ(*hub.store().LedgerNodesDurableSize(), 700u);
  EXPECT_TRUE(hub.store().LedgerNode(0, 600)->has_value());
  ASSERT_TRUE((*ledger)->MakeCheckpoint("test-hub/ledger", key_, 2).ok());
  auto report = Verify(hub.store());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries, 700u);
  auto root = (*ledger)->Root(700);
  auto proof = ledger::InclusionProof(650, 700, (*ledger)->nodes());
  ASSERT_TRUE(root.ok() && proof.ok());
  EXPECT_TRUE(ledger::VerifyInclusion(
      ledger::EntryLeafHash(hub.store().LedgerEntries(650, 1)->at(0)), 650, 700, *proof, *root));
}

// Turns a hub's store back into a schema-7 one: nodes in the ledger_nodes table, no node file,
// the subjects of the first 600 entries in the sorted table and the rest still recent, and no
// widest skew on devices (version 9), receipts in one table keyed by device (version 10).
void DowngradeToSchema7(const std::string& dir) {
  auto store = std::move(OpenSqliteStore(dir + "/vigil.db", OpenMode::kOpenExisting)).value();
  const uint64_t size = *store->LedgerSize();
  auto nodes = *store->LedgerNodesCompletedBy(0, size);
  store.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/vigil.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, testing::kReceiptsAsInSchema9, nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "BEGIN; CREATE TABLE ledger_nodes (level INTEGER NOT NULL, idx INTEGER NOT "
                   "NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;"
                   "DROP TABLE ledger_node_file; PRAGMA user_version=7;"
                   "ALTER TABLE devices DROP COLUMN max_skew_ms;"
                   "CREATE TABLE ledger_subjects (subject TEXT NOT NULL, idx INTEGER NOT NULL,"
                   " PRIMARY KEY (subject, idx)) WITHOUT ROWID;"
                   "INSERT INTO ledger_subjects SELECT subject, idx FROM ledger_subject_index;"
                   "INSERT INTO ledger_subjects SELECT subject, idx FROM ledger_subjects_recent"
                   " WHERE idx < 600; DELETE FROM ledger_subjects_recent WHERE idx < 600;"
                   "DROP TABLE ledger_subject_index; DROP TABLE ledger_subject_runs;",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO ledger_nodes VALUES (?, ?, ?)", -1, &insert, nullptr);
  for (const auto& n : nodes) {
    sqlite3_bind_int(insert, 1, n.level);
    sqlite3_bind_int64(insert, 2, static_cast<int64_t>(n.index));
    sqlite3_bind_blob(insert, 3, n.hash.data(), 32, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  std::filesystem::remove(dir + "/vigil.db-ledger-nodes");
}

TEST_F(LedgerRecoveryTest, ASchema7HubMovesItsNodesToTheFileAndItsSubjectsToARun) {
  VIGIL_SQLITE_ONLY();
  AppendAndSign(1000);
  DowngradeToSchema7(hub_.dir());
  auto migrated = OpenSqliteStore(hub_.dir() + "/vigil.db", OpenMode::kOpenExisting);
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  EXPECT_EQ(*(*migrated)->LedgerNodesDurableSize(), 1000u);
  auto report = Verify(**migrated);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries, 1000u);
  auto about = (*migrated)->LedgerEntriesAbout("p-1", 1000);
  ASSERT_TRUE(about.ok());
  ASSERT_EQ(about->size(), 333u);
  EXPECT_EQ(about->front().index, 1u);
  EXPECT_EQ(about->back().index, 997u);
}

}  // namespace
}  // namespace vigil::store
