#include "ledger/ledger_key.h"

#include "core/files.h"
#include "crypto/ed25519.h"
#include "events/audit_records.h"

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

// Whether a published key name is this hub's: its name (before session 10) or an origin that
// ends with it.
bool NamesHub(std::string_view key_name, std::string_view hub_name) {
  if (key_name == hub_name) return true;
  return key_name.size() > hub_name.size() + 1 && key_name.ends_with(hub_name) &&
         key_name[key_name.size() - hub_name.size() - 1] == '/';
}

}  // namespace

std::string LedgerOrigin(std::string_view public_authority, std::string_view hub_name) {
  return std::string(public_authority) + "/ledger/" + std::string(hub_name);
}

std::string OriginOfKeyName(std::string_view name) {
  return name.find('/') == std::string_view::npos ? std::string(name) + "/ledger"
                                                  : std::string(name);
}

Result<LedgerKey> LoadOrCreateLedgerKey(const HubLayout& layout, const std::string& origin,
                                        const std::string& hub_name) {
  const bool have_key = PathExists(layout.ledger_key());
  const bool have_verifier = PathExists(layout.ledger_verifier_key());
  std::string published;
  if (have_verifier) {
    VIGIL_ASSIGN_OR_RETURN(published, ReadFile(layout.ledger_verifier_key()));
    published = Trimmed(std::move(published));
  }
  LedgerKey out;
  NoteKey& key = out.key;
  key.name = origin;
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
    return out;
  }
  if (mine == published) return out;
  const std::string published_name = NameOf(published);
  if (VerifierKey(published_name, key.public_key) != published) {
    return Status::FailedPrecondition(layout.ledger_key() + " is not the key " +
                                      layout.ledger_verifier_key() + " publishes (" + published +
                                      "): restore the hub's own keys/ledger.key from your backup");
  }
  if (!NamesHub(published_name, hub_name)) {
    return Status::FailedPrecondition(
        layout.config() + " names the hub '" + hub_name + "', but its checkpoints are signed as '" +
        published_name + "' (" + layout.ledger_verifier_key() + "): set [hub] name = \"" +
        published_name.substr(published_name.rfind('/') + 1) + "\" in config.toml");
  }
  out.superseded = published;
  return out;
}

Status AdoptOrigin(const HubLayout& layout, Ledger& ledger, const LedgerKey& key, int64_t now_ms) {
  if (key.superseded.empty()) return Status::Ok();
  const std::string vkey = VerifierKey(key.key.name, key.key.public_key);
  VIGIL_RETURN_IF_ERROR(ledger.Append(
      {events::Record(now_ms, events::audit::LedgerOriginChanged{
                                  .old_origin = OriginOfKeyName(NameOf(key.superseded)),
                                  .origin = key.key.name,
                                  .key = vkey})}));
  return WriteFileAtomic(layout.ledger_verifier_key(), vkey + "\n", 0644, Overwrite::kReplace);
}

}  // namespace vigil::ledger
