// The latest signed checkpoint, remembered outside the database: <data dir>/ledger.head (0600),
// replaced atomically and synced after each checkpoint is stored, with every device's highest
// stored sequence number at that moment. A database that comes back behind it — a damaged or
// truncated write-ahead log, a copy taken while the hub ran — is caught when the hub starts and
// by `vigil verify`, instead of being signed over (a fork of the hub's own signed history), and
// `vigil recover` can say which devices' readings were lost.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "store/device_registry.h"
#include "store/ledger_store.h"

namespace vigil::ledger {

struct SignedHead {
  std::string note;  // the signed checkpoint note, as stored
  Checkpoint checkpoint;
  int64_t signed_ms = 0;
  std::map<std::string, uint64_t> device_last_seq;  // by device id
};

// Writes `head` to `path` (atomically, synced, 0600) through `env`.
Status WriteSignedHead(const std::string& path, const SignedHead& head, Env& env = Env::Default());

// The head at `path`, its note verified with `verifier_key`; nullopt if there is no file (a hub
// that has not signed a checkpoint since it was made or upgraded). DataLoss naming the file if
// it does not parse or its signature does not verify.
Result<std::optional<SignedHead>> ReadSignedHead(const std::string& path,
                                                 std::string_view verifier_key);

// Signs a checkpoint of `ledger` as it stands (Ledger::MakeCheckpoint), then remembers it at
// `head_path` with the devices' sequence numbers from `devices` (written through `env`).
Result<store::StoredCheckpoint> MakeRememberedCheckpoint(
    Ledger& ledger, store::DeviceRegistry& devices, const std::string& head_path,
    const std::string& origin, const NoteKey& key, int64_t now_ms, Env& env = Env::Default());

// Appends `note` (a signed checkpoint) to the checkpoint log at `path` (created 0644: checkpoints
// are public), followed by a blank line, and syncs it.
Status AppendCheckpointLog(const std::string& path, const std::string& note);

// The signed checkpoints in `text` (one note, or a checkpoint log: notes separated by blank
// lines), each verified with `verifier_key`. InvalidArgument naming `where` if one does not.
Result<std::vector<Checkpoint>> ReadCheckpointNotes(std::string_view text,
                                                    std::string_view verifier_key,
                                                    const std::string& where);

// Ok if the store's ledger holds `head`: at least head's size, with the same root at that
// size (computed from `ledger`'s nodes). FailedPrecondition naming the database, the head file
// and what is behind what otherwise.
Status CheckStoreHoldsHead(Ledger& ledger, const SignedHead& head, const std::string& db_path,
                           const std::string& head_path);

}  // namespace vigil::ledger
