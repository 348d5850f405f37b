// The checks a hub's files must pass before it serves or is verified: that they belong together
// and that the database is whole. Each failure names the file at fault and the fix, and changes
// nothing (the hub then refuses to start rather than write into damage or sign over a loss).
#pragma once

#include <string>

#include "config/hub_config.h"
#include "core/hub_layout.h"
#include "core/status.h"
#include "ledger/ledger.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::admin {

// SQLite's quick_check of vigil.db (reads every page: seconds for gigabytes).
Status CheckDatabaseStructure(store::Store& store);

// The master key unwraps every patient's data key (keys/master.key is this hub's).
Status CheckMasterKey(const HubLayout& layout, store::Store& store, store::KeyRing& keys);

// The store still holds the hub's last signed checkpoint (ledger/signed_head.h), if one was
// remembered; `verifier_key` checks its signature.
Status CheckLedgerHead(const HubLayout& layout, ledger::Ledger& ledger,
                       const std::string& verifier_key);

// The published verifier key (ledger.vkey), read and trimmed.
Result<std::string> ReadVerifierKey(const HubLayout& layout);

// Opens the store `config` names for the hub in `layout` (store::OpenStore). A config that
// names no store ([store] url) in a hub directory without vigil.db is NotFound saying so: the
// hub's data is elsewhere (PostgreSQL) and the config lost where.
Result<std::unique_ptr<store::Store>> OpenHubStore(const HubConfig& config, const HubLayout& layout,
                                                   const store::MigrationNotice& notice = {});

}  // namespace vigil::admin
