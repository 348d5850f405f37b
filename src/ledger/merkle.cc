#include "ledger/merkle.h"

#include <bit>

#include "crypto/bytes.h"

namespace vigil::ledger {
namespace {

std::string_view Bytes(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

// The index arithmetic of the RFC 9162 verification algorithms: "right-shift both fn and sn".
void ShiftBoth(uint64_t& fn, uint64_t& sn) {
  fn >>= 1;
  sn >>= 1;
}

// "...until either LSB(fn) is set or fn is 0".
void ShiftWhileEven(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && !(fn & 1)) ShiftBoth(fn, sn);
}

// The largest power of two strictly below n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// MTH of entries [start, start + size), size >= 1, start aligned as on the RFC recursion.
Result<Hash> RangeHash(uint64_t start, uint64_t size, const NodeReader& nodes) {
  if (std::has_single_bit(size) && start % size == 0) {
    return nodes(std::countr_zero(size), start / size);
  }
  const uint64_t k = SplitPoint(size);
  VIGIL_ASSIGN_OR_RETURN(Hash left, nodes(std::countr_zero(k), start / k));
  VIGIL_ASSIGN_OR_RETURN(Hash right, RangeHash(start + k, size - k, nodes));
  return NodeHash(left, right);
}

// PATH(m, D[start:start+size]) of RFC 9162 2.1.3.1, appended to `out` (deepest first).
Status Path(uint64_t m, uint64_t start, uint64_t size, const NodeReader& nodes,
            std::vector<Hash>& out) {
  if (size <= 1) return Status::Ok();
  const uint64_t k = SplitPoint(size);
  if (m < k) {
    VIGIL_RETURN_IF_ERROR(Path(m, start, k, nodes, out));
    VIGIL_ASSIGN_OR_RETURN(Hash right, RangeHash(start + k, size - k, nodes));
    out.push_back(right);
  } else {
    VIGIL_RETURN_IF_ERROR(Path(m - k, start + k, size - k, nodes, out));
    VIGIL_ASSIGN_OR_RETURN(Hash left, RangeHash(start, k, nodes));
    out.push_back(left);
  }
  return Status::Ok();
}

// SUBPROOF(m, D[start:start+size], b) of RFC 9162 2.1.4.1.
Status SubProof(uint64_t m, uint64_t start, uint64_t size, bool complete_subtree,
                const NodeReader& nodes, std::vector<Hash>& out) {
  if (m == size) {
    if (complete_subtree) return Status::Ok();
    VIGIL_ASSIGN_OR_RETURN(Hash h, RangeHash(start, size, nodes));
    out.push_back(h);
    return Status::Ok();
  }
  const uint64_t k = SplitPoint(size);
  if (m <= k) {
    VIGIL_RETURN_IF_ERROR(SubProof(m, start, k, complete_subtree, nodes, out));
    VIGIL_ASSIGN_OR_RETURN(Hash right, RangeHash(start + k, size - k, nodes));
    out.push_back(right);
  } else {
    VIGIL_RETURN_IF_ERROR(SubProof(m - k, start + k, size - k, false, nodes, out));
    VIGIL_ASSIGN_OR_RETURN(Hash left, RangeHash(start, k, nodes));
    out.push_back(left);
  }
  return Status::Ok();
}

}  // namespace

Hash LeafHash(std::string_view entry) {
  return crypto::Sha256({std::string_view("\x00", 1), entry});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return crypto::Sha256({std::string_view("\x01", 1), Bytes(left), Bytes(right)});
}

Hash EmptyRoot() { return crypto::Sha256(std::string_view()); }

Result<Hash> RootAt(uint64_t size, const NodeReader& nodes) {
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size, nodes);
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& nodes) {
  if (index >= size) return Status::InvalidArgument("index is not below the tree size");
  std::vector<Hash> out;
  VIGIL_RETURN_IF_ERROR(Path(index, 0, size, nodes, out));
  return out;
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           const NodeReader& nodes) {
  if (old_size > new_size) return Status::InvalidArgument("old size is above the new size");
  std::vector<Hash> out;
  if (old_size == 0 || old_size == new_size) return out;
  VIGIL_RETURN_IF_ERROR(SubProof(old_size, 0, new_size, true, nodes, out));
  return out;
}

bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                     const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) return false;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      ShiftWhileEven(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    ShiftBoth(fn, sn);
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                       const Hash& new_root, const std::vector<Hash>& proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();
  if (proof.empty()) return false;
  std::vector<Hash> path = proof;
  if (std::has_single_bit(old_size)) path.insert(path.begin(), old_root);
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (fn & 1) ShiftBoth(fn, sn);
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftWhileEven(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    ShiftBoth(fn, sn);
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

Result<MerkleAppender> MerkleAppender::Resume(uint64_t size, const NodeReader& nodes) {
  MerkleAppender a;
  a.size_ = size;
  uint64_t covered = 0;
  for (int level = 63; level >= 0; --level) {
    if (!(size >> level & 1)) continue;
    VIGIL_ASSIGN_OR_RETURN(a.frontier_[level], nodes(level, covered >> level));
    covered += uint64_t{1} << level;
  }
  return a;
}

std::vector<MerkleAppender::Node> MerkleAppender::Append(const Hash& leaf_hash) {
  std::vector<Node> completed;
  completed.push_back({0, size_, leaf_hash});
  Hash carry = leaf_hash;
  int level = 0;
  // Each set low bit of the old size is a complete left sibling waiting on the right edge.
  while (size_ >> level & 1) {
    carry = NodeHash(frontier_[level], carry);
    ++level;
    completed.push_back({level, (size_ + 1) / (uint64_t{1} << level) - 1, carry});
  }
  frontier_[level] = carry;
  ++size_;
  return completed;
}

Hash MerkleAppender::Root() const {
  if (size_ == 0) return EmptyRoot();
  bool have = false;
  Hash root{};
  for (int level = 0; level < 64; ++level) {  // smallest subtree first: it is the rightmost
    if (!(size_ >> level & 1)) continue;
    root = have ? NodeHash(frontier_[level], root) : frontier_[level];
    have = true;
  }
  return root;
}

}  // namespace vigil::ledger
