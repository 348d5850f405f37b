// The ledger's Merkle tree nodes numbered in one sequence (slots, in-order: leaf i is slot 2i,
// a parent sits between its children), and the nodes each leaf completes. Shared by the
// stores that keep nodes by slot (the SQLite store's node file, the PostgreSQL node table).
#pragma once

#include <cstdint>

namespace vigil::store {

// The slot of node (level, index).
inline uint64_t LedgerNodeSlot(int level, uint64_t index) { return ((2 * index + 1) << level) - 1; }

// Calls `visit(level, index, slot)` for every node leaf `leaf` completes: the leaf, then each
// parent whose right edge it is (MerkleAppender's order).
template <typename Visit>
void ForEachNodeCompletedBy(uint64_t leaf, Visit&& visit) {
  for (int level = 0; level < 64; ++level) {
    const uint64_t span = uint64_t{1} << level;
    if (level > 0 && ((leaf + 1) & (span - 1)) != 0) break;
    visit(level, ((leaf + 1) >> level) - 1, 2 * leaf + 1 - span);
  }
}

}  // namespace vigil::store
