// `vigil init`: a new hub data directory (0700) with its config, device CA, server TLS
// certificate, master key (0600) and store. Refuses to touch an existing hub.
#include <filesystem>
#include <iostream>

#include "admin/hub_integrity.h"
#include "cli/commands.h"
#include "config/hub_config.h"
#include "core/files.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "crypto/x509_ca.h"
#include "ledger/ledger_key.h"
#include "model/reading.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

constexpr int kCaDays = 3650;
constexpr int kServerCertDays = 825;

Status PrepareDirectory(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::is_directory(dir, ec) || !std::filesystem::is_empty(dir, ec)) {
      return Status::AlreadyExists(dir +
                                   " exists and is not an empty directory; refusing to "
                                   "overwrite a hub (choose another --data-dir)");
    }
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    return Status::Ok();
  }
  return MakeDirectories(dir);  // parents too, as `git init` and `initdb` do
}

// A default config.toml for a hub that lost its own, named as its published verifier key says
// (the name its checkpoints are signed with).
Status WriteDefaultConfig(const HubLayout& layout, const std::string& store_url) {
  if (store_url.empty() && !PathExists(layout.database())) {
    return Status::NotFound("no hub at " + layout.root +
                            " (no vigil.db): run `vigil init --data-dir " + layout.root +
                            "` without --config-only, or give --store URL for a hub whose data "
                            "is in PostgreSQL");
  }
  if (PathExists(layout.config())) {
    return Status::AlreadyExists(layout.config() +
                                 " exists; --config-only only replaces a lost one");
  }
  VIGIL_ASSIGN_OR_RETURN(const std::string vkey, admin::ReadVerifierKey(layout));
  HubConfig config;
  config.store_url = store_url;
  // The key is named after the origin "<host[:port]>/ledger/<hub>" (before session 10: "<hub>").
  const std::string key_name = vkey.substr(0, vkey.find('+'));
  config.hub_name = key_name.substr(key_name.rfind('/') + 1);
  if (const auto at = key_name.find("/ledger/"); at != std::string::npos) {
    config.serve.public_url = "https://" + key_name.substr(0, at);
  }
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.config(), RenderHubConfig(config), 0600));
  std::cout << "Wrote a default " << layout.config() << " for hub '" << config.hub_name
            << "'; review its settings (ports, limits, detection) before serving\n";
  return Status::Ok();
}

// Makes the hub's files and store in the prepared directory, and says what it made.
Status MakeHub(const InitOptions& options, const HubLayout& layout);

}  // namespace

Status RunInit(const InitOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("--data-dir is required");
  if (!options.store_url.empty() && !store::IsPostgresUrl(options.store_url)) {
    return Status::InvalidArgument(
        "--store must be a PostgreSQL URL, postgresql://user@host:port/database (without it, "
        "the hub keeps its data in the embedded store in --data-dir)");
  }
  if (!model::IsValidEntityId(options.hub_name)) {
    return Status::InvalidArgument("--name must be 1-40 of A-Z a-z 0-9 . - (it names the ledger)");
  }
  const HubLayout layout(options.data_dir);
  if (options.config_only) return WriteDefaultConfig(layout, options.store_url);
  VIGIL_RETURN_IF_ERROR(PrepareDirectory(layout.root));
  // A hub that could not be made leaves nothing behind (the directory was empty or new), so
  // that `vigil init` can be run again once the cause is mended (an unreachable database).
  Status made = MakeHub(options, layout);
  if (!made.ok()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(layout.root, ec)) {
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
  return made;
}

namespace {

Status MakeHub(const InitOptions& options, const HubLayout& layout) {
  for (const auto& dir : {layout.ca_dir(), layout.tls_dir(), layout.keys_dir()}) {
    VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  }
  HubConfig config;
  config.hub_name = options.hub_name;
  config.store_url = options.store_url;
  if (!options.hostnames.empty()) {
    const std::string& host = options.hostnames.front();
    config.serve.public_url =
        "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host);
  }
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.config(), RenderHubConfig(config), 0600));

  VIGIL_ASSIGN_OR_RETURN(
      auto ca, crypto::CreateCertificateAuthority(options.hub_name + " device CA", kCaDays));
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.ca_key(), ca.key_pem, 0600));
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.ca_cert(), ca.cert_pem, 0644));

  VIGIL_ASSIGN_OR_RETURN(auto server,
                         crypto::IssueServerCertificate(ca, options.hostnames, kServerCertDays));
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.server_key(), server.key_pem, 0600));
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(layout.server_cert(), server.cert_pem + ca.cert_pem, 0644));

  VIGIL_ASSIGN_OR_RETURN(std::string master, crypto::RandomBytes(crypto::kAeadKeyBytes));
  Status wrote = WriteFileAtomic(layout.master_key(), master, 0600);
  crypto::Wipe(master);
  VIGIL_RETURN_IF_ERROR(wrote);

  VIGIL_ASSIGN_OR_RETURN(auto ledger_key, ledger::LoadOrCreateLedgerKey(
                                              layout, LedgerOriginOf(config), options.hub_name));
  // Last: a database holds a hub only once every file of it is written.
  VIGIL_ASSIGN_OR_RETURN(
      auto store, store::OpenStore(StoreLocationOf(config, layout), store::OpenMode::kCreate));

  std::string hosts;
  for (const auto& h : options.hostnames) hosts += (hosts.empty() ? "" : ", ") + h;
  std::cout << "Initialized hub '" << options.hub_name << "' in " << layout.root << "\n"
            << "  config        " << layout.config() << "\n"
            << "  device CA     " << layout.ca_cert() << " (key " << layout.ca_key() << ", 0600)\n"
            << "  server cert   " << layout.server_cert() << " for " << hosts << "\n"
            << "  master key    " << layout.master_key() << " (0600; back it up offline: without "
            << "it no reading can be decrypted)\n"
            << "  store         "
            << (config.store_url.empty() ? layout.database()
                                         : store::RedactedStoreUrl(config.store_url))
            << "\n"
            << "  ledger key    " << layout.ledger_key() << " (0600; signs checkpoints)\n"
            << "  verifier key  " << layout.ledger_verifier_key() << ": "
            << ledger::VerifierKey(ledger_key.key.name, ledger_key.key.public_key) << "\n"
            << "  ledger origin " << ledger_key.key.name
            << (ledger_key.key.name.starts_with("localhost/")
                    ? " (a local name: give --hostname <public name> so that witnesses and "
                      "monitors can tell this hub's log from others')"
                    : "")
            << "\n"
            << "Next: vigil patient add --data-dir " << layout.root
            << " --id ID --name NAME --birth-date YYYY-MM-DD\n";
  return Status::Ok();
}

}  // namespace

}  // namespace vigil::cli
