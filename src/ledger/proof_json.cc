#include "ledger/proof_json.h"

#include "core/time_format.h"
#include "crypto/bytes.h"

namespace vigil::ledger {
namespace {

using nlohmann::json;

json Hexes(const std::vector<Hash>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(crypto::Hex(h));
  return out;
}

}  // namespace

Result<store::StoredCheckpoint> LatestCheckpoint(store::LedgerStore& store) {
  VIGIL_ASSIGN_OR_RETURN(auto latest, store.FindCheckpoint(std::nullopt));
  if (!latest) return Status::NotFound("no checkpoint yet (run `vigil ledger checkpoint`)");
  return *std::move(latest);
}

Result<std::optional<std::string>> CheckpointNoteAt(store::LedgerStore& store, uint64_t size) {
  VIGIL_ASSIGN_OR_RETURN(auto found, store.FindCheckpoint(size));
  if (!found) return std::optional<std::string>();
  return std::optional(std::move(found->note));
}

Result<json> InclusionProofJson(store::LedgerStore& store, Ledger& ledger, uint64_t index,
                                uint64_t size) {
  VIGIL_ASSIGN_OR_RETURN(auto checkpoint, LatestCheckpoint(store));
  if (size == 0) size = checkpoint.size;
  VIGIL_ASSIGN_OR_RETURN(auto note, CheckpointNoteAt(store, size));
  if (size > ledger.size()) {
    return Status::InvalidArgument("the ledger has " + std::to_string(ledger.size()) +
                                   " entries, fewer than " + std::to_string(size));
  }
  if (index >= size) {
    return Status::NotFound("no entry " + std::to_string(index) + " in a tree of " +
                            std::to_string(size));
  }
  VIGIL_ASSIGN_OR_RETURN(auto entries, store.LedgerEntries(index, 1));
  if (entries.empty()) return Status::NotFound("no entry " + std::to_string(index));
  VIGIL_ASSIGN_OR_RETURN(auto proof, InclusionProof(index, size, ledger.nodes()));
  VIGIL_ASSIGN_OR_RETURN(auto root, ledger.Root(size));
  json out = {{"index", index},
              {"tree_size", size},
              {"entry", crypto::Hex(entries[0])},
              {"leaf_hash", crypto::Hex(EntryLeafHash(entries[0]))},
              {"inclusion_path", Hexes(proof)},
              {"root_hash", crypto::Hex(root)},
              {"checkpoint", note.value_or("")}};
  if (HasPublicLeaf(entries[0])) out["leaf"] = crypto::Hex(LeafData(entries[0]));
  return out;
}

Result<json> ConsistencyProofJson(store::LedgerStore& store, Ledger& ledger, uint64_t old_size,
                                  uint64_t new_size) {
  VIGIL_ASSIGN_OR_RETURN(auto checkpoint, LatestCheckpoint(store));
  if (new_size == 0) new_size = checkpoint.size;
  if (old_size == 0 || old_size > new_size || new_size > ledger.size()) {
    return Status::InvalidArgument("need 0 < old <= new <= " + std::to_string(ledger.size()));
  }
  VIGIL_ASSIGN_OR_RETURN(auto proof, ConsistencyProof(old_size, new_size, ledger.nodes()));
  VIGIL_ASSIGN_OR_RETURN(auto old_root, ledger.Root(old_size));
  VIGIL_ASSIGN_OR_RETURN(auto new_root, ledger.Root(new_size));
  return json{{"old_size", old_size},
              {"new_size", new_size},
              {"old_root", crypto::Hex(old_root)},
              {"new_root", crypto::Hex(new_root)},
              {"consistency_path", Hexes(proof)}};
}

json EntryJson(uint64_t index, const std::string& encoded) {
  json out = {{"index", index},
              {"entry", crypto::Hex(encoded)},
              {"leaf_hash", crypto::Hex(EntryLeafHash(encoded))}};
  if (HasPublicLeaf(encoded)) out["leaf"] = crypto::Hex(LeafData(encoded));
  auto entry = DecodeEntry(encoded);
  if (entry.ok()) {
    out["type"] = EntryTypeName(entry->type);
    out["time"] = FormatRfc3339Millis(entry->time_ms);
    json fields = json::object();
    for (const auto& [k, v] : entry->fields) {
      // Digests are bytes; everything else is text.
      fields[k] = k == "digest" ? crypto::Hex(v) : v;
    }
    out["fields"] = std::move(fields);
  } else {
    out["type"] = "undecodable";
  }
  return out;
}

}  // namespace vigil::ledger
