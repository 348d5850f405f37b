#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "crypto/bytes.h"

namespace vigil::ledger {
namespace {

Hash FromHex(const std::string& hex) {
  Hash h{};
  for (size_t i = 0; i < h.size(); ++i)
    h[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return h;
}

// A tree kept in memory: every complete node, as a store would keep them.
class MemoryTree {
 public:
  void Append(std::string_view entry) {
    for (const auto& node : appender_.Append(LeafHash(entry)))
      nodes_[{node.level, node.index}] = node.hash;
  }
  NodeReader reader() const {
    return [this](int level, uint64_t index) -> Result<Hash> {
      auto it = nodes_.find({level, index});
      if (it == nodes_.end()) return Status::NotFound("no node");
      return it->second;
    };
  }
  Hash root(uint64_t size) const { return *RootAt(size, reader()); }
  const MerkleAppender& appender() const { return appender_; }

 private:
  MerkleAppender appender_;
  std::map<std::pair<int, uint64_t>, Hash> nodes_;
};

// The RFC 6962 reference test data (certificate-transparency), independently recomputed.
const std::vector<std::string> kLeaves = {
    "",
    std::string("\x00", 1),
    "\x10",
    "\x20\x21",
    "\x30\x31",
    "\x40\x41\x42\x43",
    "\x50\x51\x52\x53\x54\x55\x56\x57",
    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
const std::vector<std::string> kRoots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

MemoryTree ReferenceTree() {
  MemoryTree tree;
  for (const auto& leaf : kLeaves) tree.Append(leaf);
  return tree;
}

std::vector<std::string> Hexes(const std::vector<Hash>& hashes) {
  std::vector<std::string> out;
  for (const auto& h : hashes) out.push_back(crypto::Hex(h));
  return out;
}

TEST(MerkleTest, RootsMatchTheRfc6962ReferenceVectors) {
  EXPECT_EQ(crypto::Hex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const MemoryTree tree = ReferenceTree();
  for (uint64_t n = 1; n <= 8; ++n) EXPECT_EQ(crypto::Hex(tree.root(n)), kRoots[n - 1]) << n;
  EXPECT_EQ(crypto::Hex(tree.appender().Root()), kRoots[7]);
}

TEST(MerkleTest, ProofsMatchTheReferenceVectors) {
  const MemoryTree tree = ReferenceTree();
  EXPECT_EQ(Hexes(*InclusionProof(0, 8, tree.reader())),
            (std::vector<std::string>{
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
  EXPECT_EQ(Hexes(*InclusionProof(5, 8, tree.reader())),
            (std::vector<std::string>{
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
  EXPECT_EQ(Hexes(*ConsistencyProof(6, 8, tree.reader())),
            (std::vector<std::string>{
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
  EXPECT_EQ(Hexes(*ConsistencyProof(2, 5, tree.reader())),
            (std::vector<std::string>{
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}));
  EXPECT_TRUE(VerifyConsistency(6, 8, FromHex(kRoots[5]), FromHex(kRoots[7]),
                                *ConsistencyProof(6, 8, tree.reader())));
}

TEST(MerkleTest, EveryProofVerifiesAndNoAlteredOneDoes) {
  MemoryTree tree;
  for (uint64_t n = 1; n <= 70; ++n) {
    tree.Append("entry " + std::to_string(n - 1));
    const Hash root = tree.root(n);
    EXPECT_EQ(tree.appender().Root(), root);
    for (uint64_t i = 0; i < n; ++i) {
      const Hash leaf = LeafHash("entry " + std::to_string(i));
      auto proof = *InclusionProof(i, n, tree.reader());
      ASSERT_TRUE(VerifyInclusion(leaf, i, n, proof, root)) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(LeafHash("forged"), i, n, proof, root));
      if (!proof.empty()) {
        proof.back()[0] ^= 1;
        EXPECT_FALSE(VerifyInclusion(leaf, i, n, proof, root));
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      auto proof = *ConsistencyProof(m, n, tree.reader());
      ASSERT_TRUE(VerifyConsistency(m, n, tree.root(m), root, proof)) << m << "/" << n;
      if (m < n) {
        EXPECT_FALSE(VerifyConsistency(m, n, LeafHash("forged"), root, proof));
        proof.front()[5] ^= 0x40;
        EXPECT_FALSE(VerifyConsistency(m, n, tree.root(m), root, proof));
      }
    }
  }
}

TEST(MerkleTest, AppenderResumesFromStoredNodes) {
  MemoryTree tree;
  for (int i = 0; i < 37; ++i) tree.Append("e" + std::to_string(i));
  auto resumed = MerkleAppender::Resume(37, tree.reader());
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->Root(), tree.root(37));
  resumed->Append(LeafHash("e37"));
  tree.Append("e37");
  EXPECT_EQ(resumed->Root(), tree.root(38));
}

TEST(MerkleTest, RefusesImpossibleRanges) {
  const MemoryTree tree = ReferenceTree();
  EXPECT_FALSE(InclusionProof(8, 8, tree.reader()).ok());
  EXPECT_FALSE(ConsistencyProof(9, 8, tree.reader()).ok());
  EXPECT_FALSE(VerifyInclusion(LeafHash(""), 3, 2, {}, tree.root(2)));
}

}  // namespace
}  // namespace vigil::ledger
