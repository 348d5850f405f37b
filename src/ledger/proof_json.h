// The ledger's public documents as JSON with hex hashes, checkable by any RFC 9162 verifier
// without Vigil: inclusion and consistency proofs against the latest signed checkpoint, entries
// decoded for reading. Shared by `vigil ledger ...` and the hub's /ledger endpoints.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "ledger/ledger.h"
#include "store/ledger_store.h"

namespace vigil::ledger {

// The newest stored checkpoint; NotFound if none was made yet.
Result<store::StoredCheckpoint> LatestCheckpoint(store::LedgerStore& store);

// {"index","tree_size","entry","leaf_hash","inclusion_path","root_hash","checkpoint"} (and
// "leaf", the public commitment a version-3 entry's leaf hashes, entry.h) for
// entry `index` in the tree of `size` entries (0: the latest checkpoint's size; the signed note
// is included when a checkpoint of that size was signed, the latest or an older one).
// NotFound / InvalidArgument for bad numbers.
Result<nlohmann::json> InclusionProofJson(store::LedgerStore& store, Ledger& ledger, uint64_t index,
                                          uint64_t size);

// {"old_size","new_size","old_root","new_root","consistency_path"}; new_size 0: the latest
// checkpoint's size.
Result<nlohmann::json> ConsistencyProofJson(store::LedgerStore& store, Ledger& ledger,
                                            uint64_t old_size, uint64_t new_size);

// The signed note of the checkpoint of `size` entries, if one was signed.
Result<std::optional<std::string>> CheckpointNoteAt(store::LedgerStore& store, uint64_t size);

// One entry for people and scripts: {"index","type","time","fields","entry","leaf_hash"} and,
// for version 3, "leaf".
nlohmann::json EntryJson(uint64_t index, const std::string& encoded);

}  // namespace vigil::ledger
