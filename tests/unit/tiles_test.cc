// C2SP tlog-tiles over a real ledger (in-memory store): paths have one spelling, tiles hold the
// tree's hashes at heights 0, 8, 16, ..., and a tile past the signed size is not "within".
#include "ledger/tiles.h"

#include <gtest/gtest.h>

#include "events/audit_records.h"
#include "ledger/ledger.h"
#include "memory_ledger_store.h"

namespace vigil::ledger {
namespace {

TEST(TilesTest, PathsHaveOneCanonicalSpelling) {
  EXPECT_EQ(TilePathString({.level = 0, .index = 1234067}), "tile/0/x001/x234/067");
  EXPECT_EQ(TilePathString({.level = 1, .index = 0, .width = 17}), "tile/1/000.p/17");
  EXPECT_EQ(TilePathString({.entries = true, .index = 1000, .width = 1}),
            "tile/entries/x001/000.p/1");
  for (const char* path : {"tile/0/x001/x234/067", "tile/1/000.p/17", "tile/entries/x001/000.p/1",
                           "tile/63/999", "tile/entries/000"}) {
    const auto tile = ParseTilePath(path);
    ASSERT_TRUE(tile) << path;
    EXPECT_EQ(TilePathString(*tile), path);
  }
  for (const char* path :
       {"tile/0/1", "tile/00/000", "tile/64/000", "tile/0/x000/001", "tile/0/001.p/0",
        "tile/0/001.p/256", "tile/0/001.p/017", "tile/0/x1/000", "tile/0/001/", "tile/-1/000",
        "tile/0/0a1", "tile/entries/", "tile/0/x999/x999/x999/x999/x999/x999/x999/999", "tile/"}) {
    EXPECT_FALSE(ParseTilePath(path)) << path;
  }
}

TEST(TilesTest, ATileIsWithinATreeOnlyWhenAllItsHashesAre) {
  EXPECT_TRUE(TileWithin({.level = 0, .index = 0}, 256));
  EXPECT_FALSE(TileWithin({.level = 0, .index = 0}, 255));
  EXPECT_TRUE(TileWithin({.level = 0, .index = 0, .width = 255}, 255));
  EXPECT_TRUE(TileWithin({.level = 1, .index = 0, .width = 1}, 256));
  EXPECT_FALSE(TileWithin({.level = 1, .index = 0, .width = 2}, 511));
  EXPECT_TRUE(TileWithin({.level = 7, .index = 0, .width = 1}, UINT64_MAX));
  EXPECT_FALSE(TileWithin({.level = 8, .index = 0, .width = 1}, UINT64_MAX));
  EXPECT_FALSE(TileWithin({.level = 0, .index = UINT64_MAX / 256, .width = 255}, UINT64_MAX));
}

TEST(TilesTest, TilesHoldTheTreesHashesAndBundlesTheCommitments) {
  store::MemoryLedgerStore store;
  auto ledger = Ledger::Open(store);
  ASSERT_TRUE(ledger.ok());
  std::vector<LedgerEntry> entries;
  for (int i = 0; i < 600; ++i) {
    entries.push_back(
        events::Record(i, events::audit::PatientAdded{.patient = "p-" + std::to_string(i)}));
  }
  ASSERT_TRUE((*ledger)->Append(entries).ok());
  const auto leaves = ReadHashTile({.level = 0, .index = 2, .width = 88}, (*ledger)->nodes());
  ASSERT_TRUE(leaves.ok());
  ASSERT_EQ(leaves->size(), 88u * 32);
  const auto stored = store.entries();
  const Hash leaf = EntryLeafHash(stored[512]);
  EXPECT_EQ(leaves->substr(0, 32), std::string(leaf.begin(), leaf.end()));
  // A level-1 hash is the root of 256 entries.
  const auto upper = ReadHashTile({.level = 1, .index = 0, .width = 2}, (*ledger)->nodes());
  ASSERT_TRUE(upper.ok());
  MerkleAppender second;
  for (int i = 256; i < 512; ++i) second.Append(EntryLeafHash(stored[i]));
  const Hash root = second.Root();
  EXPECT_EQ(upper->substr(32), std::string(root.begin(), root.end()));

  const auto bundle = ReadEntryBundle({.entries = true, .index = 0, .width = 3}, store);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  ASSERT_EQ(bundle->size(), 3u * (2 + 33));
  EXPECT_EQ(bundle->substr(0, 2), std::string("\0\x21", 2));
  EXPECT_EQ(bundle->substr(2, 33), LeafData(stored[0]));
  EXPECT_EQ(bundle->find("p-0"), std::string::npos);
}

}  // namespace
}  // namespace vigil::ledger
