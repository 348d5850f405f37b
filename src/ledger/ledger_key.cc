#include "ledger/ledger_key.h"

#include "core/files.h"
#include "crypto/ed25519.h"

namespace vigil::ledger {
namespace {

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The key name a verifier key starts with ("<name>+<id>+<key>").
std::string NameOf(const std::string& verifier_key) {
  return verifier_key.substr(0, verifier_key.find('+'));
}

}  // namespace

std::string LedgerOrigin(const std::string& hub_name) { return hub_name + "/ledger"; }

Result<NoteKey> LoadOrCreateLedgerKey(const HubLayout& layout, const std::string& hub_name) {
  const bool have_key = PathExists(layout.ledger_key());
  const bool have_verifier = PathExists(layout.ledger_verifier_key());
  std::string published;
  if (have_verifier) {
    VIGIL_ASSIGN_OR_RETURN(published, ReadFile(layout.ledger_verifier_key()));
    published = Trimmed(std::move(published));
  }
  NoteKey key;
  key.name = hub_name;
  if (have_key) {
    VIGIL_ASSIGN_OR_RETURN(key.private_key, ReadFile(layout.ledger_key()));
  } else if (have_verifier) {
    return Status::FailedPrecondition(
        layout.ledger_key() + " is missing, but " + layout.ledger_verifier_key() +
        " publishes the key that signed this hub's checkpoints (" + published +
        "). Restore keys/ledger.key from your backup: a new key would leave every signed "
        "checkpoint unverifiable");
  } else {  // a new hub (vigil init)
    VIGIL_ASSIGN_OR_RETURN(auto pair, crypto::GenerateEd25519());
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.ledger_key(), pair.private_key, 0600));
    key.private_key = pair.private_key;
  }
  auto public_key = crypto::Ed25519PublicKey(key.private_key);
  if (!public_key.ok()) {
    return Status::DataLoss(layout.ledger_key() + " is not an Ed25519 key (" +
                            public_key.status().message() + "); restore it from your backup");
  }
  key.public_key = *public_key;
  const std::string mine = VerifierKey(key.name, key.public_key);
  if (!have_verifier) {
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.ledger_verifier_key(), mine + "\n", 0644));
  } else if (mine != published) {
    if (NameOf(published) != hub_name &&
        VerifierKey(NameOf(published), key.public_key) == published) {
      return Status::FailedPrecondition(layout.config() + " names the hub '" + hub_name +
                                        "', but its checkpoints are signed as '" +
                                        NameOf(published) + "' (" + layout.ledger_verifier_key() +
                                        "): set hub_name = \"" + NameOf(published) +
                                        "\" in config.toml");
    }
    return Status::FailedPrecondition(layout.ledger_key() + " is not the key " +
                                      layout.ledger_verifier_key() + " publishes (" + published +
                                      "): restore the hub's own keys/ledger.key from your backup");
  }
  return key;
}

}  // namespace vigil::ledger
