#include "ledger/ledger_key.h"

#include "core/files.h"
#include "crypto/ed25519.h"

namespace vigil::ledger {

std::string LedgerOrigin(const std::string& hub_name) { return hub_name + "/ledger"; }

Result<NoteKey> LoadOrCreateLedgerKey(const HubLayout& layout, const std::string& hub_name) {
  NoteKey key;
  key.name = hub_name;
  if (PathExists(layout.ledger_key())) {
    VIGIL_ASSIGN_OR_RETURN(key.private_key, ReadFile(layout.ledger_key()));
  } else {
    VIGIL_ASSIGN_OR_RETURN(auto pair, crypto::GenerateEd25519());
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.ledger_key(), pair.private_key, 0600));
    key.private_key = pair.private_key;
  }
  VIGIL_ASSIGN_OR_RETURN(key.public_key, crypto::Ed25519PublicKey(key.private_key));
  if (!PathExists(layout.ledger_verifier_key())) {
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.ledger_verifier_key(),
                                          VerifierKey(key.name, key.public_key) + "\n", 0644));
  }
  return key;
}

}  // namespace vigil::ledger
