// Where everything of a hub lives below its data directory.
#pragma once

#include <string>
#include <utility>

namespace vigil {

struct HubLayout {
  explicit HubLayout(std::string data_dir) : root(std::move(data_dir)) {}
  std::string root;
  std::string config() const { return root + "/config.toml"; }
  std::string ca_dir() const { return root + "/ca"; }
  std::string ca_key() const { return root + "/ca/ca.key"; }
  std::string ca_cert() const { return root + "/ca/ca.crt"; }
  std::string tls_dir() const { return root + "/tls"; }
  std::string server_key() const { return root + "/tls/server.key"; }
  std::string server_cert() const { return root + "/tls/server.crt"; }
  std::string keys_dir() const { return root + "/keys"; }
  std::string master_key() const { return root + "/keys/master.key"; }
  std::string ledger_key() const { return root + "/keys/ledger.key"; }
  std::string ledger_verifier_key() const { return root + "/ledger.vkey"; }
  std::string database() const { return root + "/vigil.db"; }
  std::string ledger_head() const { return root + "/ledger.head"; }  // ledger/signed_head.h
  std::string serve_lock() const { return root + "/serve.lock"; }    // held by `vigil serve`
  std::string exports() const { return root + "/exports"; }          // Bulk Data files, sealed
};

}  // namespace vigil
