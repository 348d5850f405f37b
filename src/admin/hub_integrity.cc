#include "admin/hub_integrity.h"

#include "core/files.h"
#include "ledger/signed_head.h"

namespace vigil::admin {

Status CheckDatabaseStructure(store::Store& store) { return store.CheckIntegrity(); }

Status CheckMasterKey(const HubLayout& layout, store::Store& store, store::KeyRing& keys) {
  VIGIL_ASSIGN_OR_RETURN(auto patients, store.ListPatients());
  for (const auto& p : patients) {
    auto key = keys.DataKey(p.id);
    if (key.ok() || key.status().code() == StatusCode::kNotFound) continue;  // erased: fine
    return Status::FailedPrecondition(
        layout.master_key() + " does not unwrap the data key of patient " + p.id +
        ": it is not this hub's master key. Restore the hub's own master key from your offline "
        "backup (without it no reading can be decrypted)");
  }
  return Status::Ok();
}

Status CheckLedgerHead(const HubLayout& layout, ledger::Ledger& ledger,
                       const std::string& verifier_key) {
  VIGIL_ASSIGN_OR_RETURN(auto head, ledger::ReadSignedHead(layout.ledger_head(), verifier_key));
  if (!head) return Status::Ok();
  return ledger::CheckStoreHoldsHead(ledger, *head, layout.database(), layout.ledger_head());
}

Result<std::string> ReadVerifierKey(const HubLayout& layout) {
  auto text = ReadFile(layout.ledger_verifier_key());
  if (!text.ok()) {
    return Status::NotFound(layout.ledger_verifier_key() +
                            " (the hub's published verifier key) is missing; restore it from "
                            "a backup or from where it was published");
  }
  std::string vkey = std::move(text).value();
  while (!vkey.empty() && (vkey.back() == '\n' || vkey.back() == '\r')) vkey.pop_back();
  return vkey;
}

Result<std::unique_ptr<store::Store>> OpenHubStore(const HubConfig& config, const HubLayout& layout,
                                                   const store::MigrationNotice& notice) {
  if (config.store_url.empty() && !PathExists(layout.database()) &&
      PathExists(layout.ledger_verifier_key())) {
    return Status::NotFound(layout.config() + " names no store ([store] url) and there is no " +
                            layout.database() +
                            ": if this hub keeps its data in PostgreSQL, set [store] url = "
                            "\"postgresql://...\" in config.toml");
  }
  return store::OpenStore(StoreLocationOf(config, layout), store::OpenMode::kOpenExisting, notice);
}

}  // namespace vigil::admin
