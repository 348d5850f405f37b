// The hub's checkpoint-signing key: an Ed25519 seed in keys/ledger.key (0600) and its verifier
// key in ledger.vkey (public; give it to anyone who should check the hub's checkpoints).
#pragma once

#include <string>

#include "core/hub_config.h"
#include "core/status.h"
#include "ledger/checkpoint.h"

namespace vigil::ledger {

// The key named after the hub, made on first use.
Result<NoteKey> LoadOrCreateLedgerKey(const HubLayout& layout, const std::string& hub_name);

// The origin line of the hub's checkpoints.
std::string LedgerOrigin(const std::string& hub_name);

}  // namespace vigil::ledger
