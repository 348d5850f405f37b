// `vigil verify` and `vigil ledger checkpoint|show|prove|consistency|export`: the audit ledger from
// the command line. Proof output is JSON with hex hashes, checkable without Vigil (RFC 9162).
#include <iostream>
#include <nlohmann/json.hpp>

#include "admin/hub_admin.h"
#include "admin/hub_integrity.h"
#include "admin/ledger_verify.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/json_string.h"
#include "crypto/bytes.h"
#include "ledger/ledger_export.h"
#include "ledger/ledger_key.h"
#include "ledger/proof_json.h"
#include "ledger/signed_head.h"
#include "server/http_client.h"

namespace vigil::cli {
namespace {

using nlohmann::json;

}  // namespace

Status RunVerify(const VerifyOptions& options) {
  // Only the store: verification must not trust (or need) the ledger state a hub would resume.
  const HubLayout layout(options.data_dir);
  // The config says where the store is (a copy without one: the SQLite file beside vkey).
  std::optional<HubConfig> config;
  if (PathExists(layout.config())) {
    VIGIL_ASSIGN_OR_RETURN(config, LoadHubConfig(layout.config()));
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto store, config ? admin::OpenHubStore(*config, layout, admin::NoticeMigrationOnStderr)
                         : store::OpenStore(layout.database(), store::OpenMode::kOpenExisting,
                                            admin::NoticeMigrationOnStderr));
  VIGIL_RETURN_IF_ERROR(admin::CheckDatabaseStructure(*store));
  VIGIL_ASSIGN_OR_RETURN(const std::string vkey, admin::ReadVerifierKey(layout));
  // The hub's own files, where this copy has them: they must belong to each other.
  if (config && PathExists(layout.ledger_key())) {
    VIGIL_RETURN_IF_ERROR(
        ledger::LoadOrCreateLedgerKey(layout, LedgerOriginOf(*config), config->hub_name).status());
  }
  if (PathExists(layout.master_key())) {
    VIGIL_ASSIGN_OR_RETURN(std::string master, store::LoadMasterKey(layout.master_key()));
    store::KeyRing keys(*store, std::move(master));
    VIGIL_RETURN_IF_ERROR(admin::CheckMasterKey(layout, *store, keys));
  }
  VIGIL_ASSIGN_OR_RETURN(auto head, ledger::ReadSignedHead(layout.ledger_head(), vkey));
  std::vector<admin::RememberedCheckpoint> remembered;
  if (head) remembered.push_back({head->checkpoint, layout.ledger_head()});
  for (const auto& file : options.checkpoint_files) {  // kept off the hub: they catch a rollback
    VIGIL_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
    VIGIL_ASSIGN_OR_RETURN(auto notes, ledger::ReadCheckpointNotes(text, vkey, file));
    for (auto& c : notes) remembered.push_back({std::move(c), file});
  }
  for (const auto& url : options.checkpoint_urls) {
    VIGIL_ASSIGN_OR_RETURN(auto answer, server::CallHttp({.url = url, .cafile = options.cafile}));
    if (answer.status != 200) {
      return Status::Unavailable(url + " answered HTTP " + std::to_string(answer.status));
    }
    VIGIL_ASSIGN_OR_RETURN(auto notes, ledger::ReadCheckpointNotes(answer.body, vkey, url));
    for (auto& c : notes) remembered.push_back({std::move(c), url});
  }
  VIGIL_ASSIGN_OR_RETURN(auto report, admin::VerifyLedger(*store, vkey, remembered));
  for (const auto& note : report.notes) std::cerr << "note: " << note << "\n";
  // Remembered for the console's "verified last" (a copy being verified records it in the copy).
  VIGIL_RETURN_IF_ERROR(
      store->RecordIntegrityCheck({SystemClock::Instance().NowMillis(), report.entries,
                                   report.root_hex, admin::OperatorIdentity()}));
  std::cout << "ledger verified: " << report.entries << " entries, " << report.checkpoints
            << " signed checkpoints, " << report.batches << " reading batches covering "
            << report.rows << " stored rows\n";
  return Status::Ok();
}

Status RunLedgerCheckpoint(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(
      auto key,
      ledger::LoadOrCreateLedgerKey(hub.layout, LedgerOriginOf(hub.config), hub.config.hub_name));
  VIGIL_ASSIGN_OR_RETURN(const std::string vkey, admin::ReadVerifierKey(hub.layout));
  VIGIL_RETURN_IF_ERROR(admin::CheckLedgerHead(hub.layout, *hub.ledger, vkey));
  const int64_t now = SystemClock::Instance().NowMillis();
  VIGIL_RETURN_IF_ERROR(ledger::AdoptOrigin(hub.layout, *hub.ledger, key, now));
  VIGIL_ASSIGN_OR_RETURN(
      auto made, ledger::MakeRememberedCheckpoint(*hub.ledger, *hub.store, hub.layout.ledger_head(),
                                                  key.key.name, key.key, now));
  if (!hub.config.ledger.checkpoint_log.empty()) {
    VIGIL_RETURN_IF_ERROR(ledger::AppendCheckpointLog(hub.config.ledger.checkpoint_log, made.note));
  }
  std::cout << made.note;
  return Status::Ok();
}

Status RunLedgerProve(const std::string& data_dir, uint64_t index, uint64_t size) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto proof,
                         ledger::InclusionProofJson(*hub.store, *hub.ledger, index, size));
  std::cout << proof.dump(2) << "\n";
  return Status::Ok();
}

Status RunLedgerConsistency(const std::string& data_dir, uint64_t old_size, uint64_t new_size) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto proof,
                         ledger::ConsistencyProofJson(*hub.store, *hub.ledger, old_size, new_size));
  std::cout << proof.dump(2) << "\n";
  return Status::Ok();
}

Status RunLedgerShow(const std::string& data_dir, uint64_t from, uint64_t to) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  const uint64_t size = hub.ledger->size();
  if (to == 0 || to > size) to = size;
  if (from >= to) return Status::Ok();
  constexpr uint64_t kPage = 10'000;
  for (uint64_t at = from; at < to; at += kPage) {
    VIGIL_ASSIGN_OR_RETURN(auto page, hub.store->LedgerEntries(at, std::min(kPage, to - at)));
    for (size_t i = 0; i < page.size(); ++i) {
      std::cout << DumpJson(ledger::EntryJson(at + i, page[i])) << "\n";
    }
  }
  return Status::Ok();
}

Status RunLedgerExport(const std::string& data_dir, const std::string& out_dir) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(const std::string vkey, admin::ReadVerifierKey(hub.layout));
  VIGIL_ASSIGN_OR_RETURN(
      auto summary,
      ledger::ExportLedger(*hub.store, *hub.ledger, vkey, out_dir, [](uint64_t done, uint64_t all) {
        std::cerr << "\rexporting entries: " << done << " / " << all << std::flush;
      }));
  std::cerr << "\n";
  std::cout << "Exported to " << out_dir << ": " << summary.entries << " entries, "
            << summary.checkpoints << " signed checkpoints, " << summary.inclusion_proofs
            << " inclusion proofs, " << summary.consistency_proofs
            << " consistency proofs (format: docs/ledger.md)\n";
  return Status::Ok();
}

}  // namespace vigil::cli
