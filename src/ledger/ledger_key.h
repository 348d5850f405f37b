// The hub's checkpoint-signing key: an Ed25519 seed in keys/ledger.key (0600) and its verifier
// key in ledger.vkey (public; give it to anyone who should check the hub's checkpoints).
#pragma once

#include <string>

#include "core/hub_layout.h"
#include "core/status.h"
#include "ledger/checkpoint.h"

namespace vigil::ledger {

// The hub's signing key, named after the hub. Made only for a new hub (neither keys/ledger.key
// nor ledger.vkey exists); otherwise FailedPrecondition, naming the file and the fix, when the
// key is missing, is not the published one, or the hub name differs from the published name.
Result<NoteKey> LoadOrCreateLedgerKey(const HubLayout& layout, const std::string& hub_name);

// The origin line of the hub's checkpoints.
std::string LedgerOrigin(const std::string& hub_name);

}  // namespace vigil::ledger
