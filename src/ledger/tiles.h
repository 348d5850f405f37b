// The log as C2SP tlog-tiles: static, cacheable resources from which any client computes the
// proofs it needs. A tile at level L holds consecutive tree hashes at height 8L (level 0: leaf
// hashes), 256 to a full tile; an entry bundle holds the leaves' public data (entry.h LeafData),
// each as a big-endian uint16 length and the bytes. Paths, after the log's prefix:
//
//   tile/<L>/<N>[.p/<W>]    tile/entries/<N>[.p/<W>]
//
// with N in zero-padded groups of three digits, all but the last prefixed with 'x'
// (1234067 -> x001/x234/067) and W (1-255) only for a partial tile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ledger/merkle.h"
#include "store/ledger_store.h"

namespace vigil::ledger {

inline constexpr uint64_t kTileWidth = 256;

struct TilePath {
  bool entries = false;  // an entry bundle (level 0) rather than a hash tile
  int level = 0;         // 0-63
  uint64_t index = 0;
  uint64_t width = kTileWidth;  // < 256: a partial tile
};

// The canonical path of `tile` ("tile/1/x001/234.p/17").
std::string TilePathString(const TilePath& tile);

// Parses a tile path; nullopt unless it is the one canonical spelling of a tile.
std::optional<TilePath> ParseTilePath(std::string_view path);

// Whether every hash (or entry) of `tile` is in the tree of `size` entries.
bool TileWithin(const TilePath& tile, uint64_t size);

// The hashes of a hash tile, 32 bytes each, read from the tree's nodes.
Result<std::string> ReadHashTile(const TilePath& tile, const NodeReader& nodes);

// An entry bundle. FailedPrecondition if an entry in it has no public leaf (versions 1 and 2:
// their leaf is the entry itself, which outsiders never get).
Result<std::string> ReadEntryBundle(const TilePath& tile, store::LedgerStore& store);

}  // namespace vigil::ledger
