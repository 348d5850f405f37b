// The hub's checkpoint-signing key: an Ed25519 seed in keys/ledger.key (0600) and its verifier
// key in ledger.vkey (public; give it to anyone who should check the hub's checkpoints). The
// key is named after the log's origin, as C2SP tlog-checkpoint asks, so a witness or monitor
// builds its verifier from the origin and the public key alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/hub_layout.h"
#include "core/status.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"

namespace vigil::ledger {

// The origin of the hub's checkpoints and its key's name: "<public host[:port]>/ledger/<hub
// name>", one of the URL prefixes the log is served at (C2SP tlog-tiles), so that two hubs
// are two logs to a witness.
std::string LedgerOrigin(std::string_view public_authority, std::string_view hub_name);

struct LedgerKey {
  NoteKey key;  // named after the origin
  // The verifier key ledger.vkey publishes when it names the key otherwise (a hub made before
  // session 10, whose key was named after the hub, or one whose public address changed):
  // AdoptOrigin records the change before anything is signed under the new name.
  std::string superseded;
};

// The hub's signing key, named `origin`. Made only for a new hub (neither keys/ledger.key nor
// ledger.vkey exists); otherwise FailedPrecondition, naming the file and the fix, when the key
// is missing, is not the published one, or was published for another hub than `hub_name`.
Result<LedgerKey> LoadOrCreateLedgerKey(const HubLayout& layout, const std::string& origin,
                                        const std::string& hub_name);

// When `key` supersedes the published key name: appends a ledger_origin_changed entry (durable)
// and then publishes the new verifier key in ledger.vkey. Nothing otherwise. A crash between
// the two repeats the change at the next start, which `vigil verify` accepts.
Status AdoptOrigin(const HubLayout& layout, Ledger& ledger, const LedgerKey& key, int64_t now_ms);

// The origin a verifier key's checkpoints carry: its name, or "<name>/ledger" for a key named
// after the hub (before session 10).
std::string OriginOfKeyName(std::string_view name);

}  // namespace vigil::ledger
