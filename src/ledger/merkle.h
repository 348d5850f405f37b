// RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, proofs and their verification.
//
// Leaf hash: SHA-256(0x00 || entry). Node hash: SHA-256(0x01 || left || right). The tree over n
// entries splits at the largest power of two k < n (RFC 9162 section 2.1.1).
//
// Proofs are computed from the hashes of complete, aligned subtrees ("nodes"): node (level, i)
// covers entries [i * 2^level, (i + 1) * 2^level). Every left subtree on the RFC's recursion is
// such a node, so a root or a proof needs O(log^2 n) node reads at most, whatever stores them.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/bytes.h"

namespace vigil::ledger {

using Hash = crypto::Sha256Digest;

Hash LeafHash(std::string_view entry);
Hash NodeHash(const Hash& left, const Hash& right);
// The root of the empty tree: SHA-256 of nothing.
Hash EmptyRoot();

// Gives the hash of node (level, index); fails if the store cannot.
using NodeReader = std::function<Result<Hash>(int level, uint64_t index)>;

// The root of the tree over the first `size` entries.
Result<Hash> RootAt(uint64_t size, const NodeReader& nodes);

// The audit path of entry `index` in the tree of `size` entries (RFC 9162 2.1.3.1).
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& nodes);

// The consistency proof between the trees of `old_size` and `new_size` entries (2.1.4.1).
Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           const NodeReader& nodes);

// RFC 9162 2.1.3.2: whether `proof` shows the leaf at `index` is in the tree of `size` with `root`.
bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                     const std::vector<Hash>& proof, const Hash& root);

// RFC 9162 2.1.4.2: whether `proof` shows the tree (`old_size`, `old_root`) is a prefix of the
// tree (`new_size`, `new_root`).
bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                       const Hash& new_root, const std::vector<Hash>& proof);

// Keeps the right edge of a growing tree in memory and reports, for each appended entry, the
// nodes that became complete (its leaf, and every parent it completes), so a store can keep
// them. Appending is amortized O(1) hashes.
class MerkleAppender {
 public:
  struct Node {
    int level;
    uint64_t index;
    Hash hash;
  };
  // Resumes a tree of `size` entries whose complete nodes `nodes` can read.
  static Result<MerkleAppender> Resume(uint64_t size, const NodeReader& nodes);

  // Appends one entry by its leaf hash; returns the nodes that became complete, leaf first.
  std::vector<Node> Append(const Hash& leaf_hash);
  uint64_t size() const { return size_; }
  // The root of the tree as it stands.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  // frontier_[level]: the complete node of that level on the right edge, where size_ has that
  // bit set (other slots are stale).
  std::array<Hash, 64> frontier_{};
};

}  // namespace vigil::ledger
