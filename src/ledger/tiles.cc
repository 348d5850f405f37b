#include "ledger/tiles.h"

#include <charconv>
#include <vector>

#include "core/big_endian.h"
#include "ledger/entry.h"

namespace vigil::ledger {
namespace {

// A decimal in [min, max] with no leading zero (unless it is "0").
std::optional<uint64_t> Decimal(std::string_view text, uint64_t min, uint64_t max) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return {};
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return {};
  }
  return value;
}

// "x001/x234/067" -> 1234067, canonical only (no leading "x000" group).
std::optional<uint64_t> TileIndex(std::string_view text) {
  uint64_t value = 0;
  bool first = true;
  while (true) {
    const auto slash = text.find('/');
    std::string_view group = text.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (!last) {
      if (group.size() != 4 || group[0] != 'x') return {};
      group.remove_prefix(1);
    }
    if (group.size() != 3 || group.find_first_not_of("0123456789") != std::string_view::npos) {
      return {};
    }
    if (first && !last && group == "000") return {};
    if (value > (UINT64_MAX - 999) / 1000) return {};
    value = value * 1000 + static_cast<uint64_t>(std::stoul(std::string(group)));
    first = false;
    if (last) return value;
    text.remove_prefix(slash + 1);
  }
}

std::string IndexPath(uint64_t index) {
  std::vector<std::string> groups;
  do {
    std::string group = std::to_string(index % 1000);
    groups.push_back(std::string(3 - group.size(), '0') + group);
    index /= 1000;
  } while (index > 0);
  std::string out;
  for (size_t i = groups.size(); i-- > 0;)
    out += (i > 0 ? "x" : "") + groups[i] + (i > 0 ? "/" : "");
  return out;
}

}  // namespace

std::string TilePathString(const TilePath& tile) {
  std::string out = "tile/" + (tile.entries ? std::string("entries") : std::to_string(tile.level)) +
                    "/" + IndexPath(tile.index);
  if (tile.width < kTileWidth) out += ".p/" + std::to_string(tile.width);
  return out;
}

std::optional<TilePath> ParseTilePath(std::string_view path) {
  if (!path.starts_with("tile/") || path.size() > 128) return {};
  path.remove_prefix(5);
  TilePath tile;
  const auto slash = path.find('/');
  if (slash == std::string_view::npos) return {};
  const std::string_view level = path.substr(0, slash);
  if (level == "entries") {
    tile.entries = true;
  } else if (const auto l = Decimal(level, 0, 63)) {
    tile.level = static_cast<int>(*l);
  } else {
    return {};
  }
  std::string_view rest = path.substr(slash + 1);
  if (const auto partial = rest.find(".p/"); partial != std::string_view::npos) {
    const auto width = Decimal(rest.substr(partial + 3), 1, kTileWidth - 1);
    if (!width) return {};
    tile.width = *width;
    rest = rest.substr(0, partial);
  }
  const auto index = TileIndex(rest);
  if (!index) return {};
  tile.index = *index;
  return tile;
}

bool TileWithin(const TilePath& tile, uint64_t size) {
  // Its last hash covers entries up to (index * 256 + width) * 256^level.
  if (tile.index > (UINT64_MAX - kTileWidth) / kTileWidth) return false;
  uint64_t end = tile.index * kTileWidth + tile.width;
  for (int l = 0; l < tile.level; ++l) {
    if (end > size / kTileWidth) return false;
    end *= kTileWidth;
  }
  return end <= size;
}

Result<std::string> ReadHashTile(const TilePath& tile, const NodeReader& nodes) {
  std::string out;
  out.reserve(tile.width * 32);
  for (uint64_t i = 0; i < tile.width; ++i) {
    VIGIL_ASSIGN_OR_RETURN(Hash h, nodes(tile.level * 8, tile.index * kTileWidth + i));
    out.append(reinterpret_cast<const char*>(h.data()), h.size());
  }
  return out;
}

Result<std::string> ReadEntryBundle(const TilePath& tile, store::LedgerStore& store) {
  VIGIL_ASSIGN_OR_RETURN(auto entries, store.LedgerEntries(tile.index * kTileWidth, tile.width));
  if (entries.size() != tile.width) return Status::NotFound("no such entry bundle");
  std::string out;
  for (const auto& entry : entries) {
    if (!HasPublicLeaf(entry)) {
      return Status::FailedPrecondition(
          "this bundle holds entries written before version 3 (session 10), whose leaf is the "
          "entry itself: they are not public (their leaf hashes are, in the level-0 tile)");
    }
    const std::string leaf = LeafData(entry);
    PutBigEndian(out, leaf.size(), 2);
    out += leaf;
  }
  return out;
}

}  // namespace vigil::ledger
