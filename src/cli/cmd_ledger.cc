// `vigil verify` and `vigil ledger checkpoint|prove|consistency`: the audit ledger from the
// command line. Proof output is JSON with hex hashes, checkable without Vigil (RFC 9162).
#include <iostream>
#include <nlohmann/json.hpp>

#include "admin/hub_admin.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/files.h"
#include "crypto/bytes.h"
#include "ledger/ledger_key.h"

namespace vigil::cli {
namespace {

using nlohmann::json;

json Hexes(const std::vector<ledger::Hash>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(crypto::Hex(h));
  return out;
}

// The newest checkpoint, or NotFound.
Result<store::StoredCheckpoint> LatestCheckpoint(store::Store& store) {
  VIGIL_ASSIGN_OR_RETURN(auto all, store.ListCheckpoints());
  if (all.empty()) return Status::NotFound("no checkpoint yet (run `vigil ledger checkpoint`)");
  return all.back();
}

}  // namespace

Status RunVerify(const std::string& data_dir) {
  // Only the store: verification must not trust (or need) the ledger state a hub would resume.
  const HubLayout layout(data_dir);
  VIGIL_ASSIGN_OR_RETURN(auto store,
                         store::OpenSqliteStore(layout.database(), store::OpenMode::kOpenExisting));
  VIGIL_ASSIGN_OR_RETURN(std::string vkey, ReadFile(layout.ledger_verifier_key()));
  while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
  VIGIL_ASSIGN_OR_RETURN(auto report, ledger::VerifyLedger(*store, vkey));
  std::cout << "ledger verified: " << report.entries << " entries, " << report.checkpoints
            << " signed checkpoints, " << report.batches << " reading batches covering "
            << report.rows << " stored rows\n";
  return Status::Ok();
}

Status RunLedgerCheckpoint(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto key, ledger::LoadOrCreateLedgerKey(hub.layout, hub.config.hub_name));
  VIGIL_ASSIGN_OR_RETURN(auto made,
                         hub.ledger->MakeCheckpoint(ledger::LedgerOrigin(hub.config.hub_name), key,
                                                    SystemClock::Instance().NowMillis()));
  std::cout << made.note;
  return Status::Ok();
}

Status RunLedgerProve(const std::string& data_dir, uint64_t index, uint64_t size) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto checkpoint, LatestCheckpoint(*hub.store));
  if (size == 0) size = checkpoint.size;
  VIGIL_ASSIGN_OR_RETURN(auto entries, hub.store->LedgerEntries(index, 1));
  if (entries.empty() || index >= size)
    return Status::NotFound("no entry " + std::to_string(index));
  VIGIL_ASSIGN_OR_RETURN(auto proof, ledger::InclusionProof(index, size, hub.ledger->nodes()));
  VIGIL_ASSIGN_OR_RETURN(auto root, hub.ledger->Root(size));
  const json out = {{"index", index},
                    {"tree_size", size},
                    {"entry", crypto::Hex(entries[0])},
                    {"leaf_hash", crypto::Hex(ledger::LeafHash(entries[0]))},
                    {"inclusion_path", Hexes(proof)},
                    {"root_hash", crypto::Hex(root)},
                    {"checkpoint", size == checkpoint.size ? checkpoint.note : ""}};
  std::cout << out.dump(2) << "\n";
  return Status::Ok();
}

Status RunLedgerConsistency(const std::string& data_dir, uint64_t old_size, uint64_t new_size) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto checkpoint, LatestCheckpoint(*hub.store));
  if (new_size == 0) new_size = checkpoint.size;
  VIGIL_ASSIGN_OR_RETURN(auto proof,
                         ledger::ConsistencyProof(old_size, new_size, hub.ledger->nodes()));
  VIGIL_ASSIGN_OR_RETURN(auto old_root, hub.ledger->Root(old_size));
  VIGIL_ASSIGN_OR_RETURN(auto new_root, hub.ledger->Root(new_size));
  const json out = {{"old_size", old_size},
                    {"new_size", new_size},
                    {"old_root", crypto::Hex(old_root)},
                    {"new_root", crypto::Hex(new_root)},
                    {"consistency_path", Hexes(proof)}};
  std::cout << out.dump(2) << "\n";
  return Status::Ok();
}

}  // namespace vigil::cli
