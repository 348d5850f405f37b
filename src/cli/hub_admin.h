// What the administrative commands share: opening an existing hub (layout, validated config,
// store, key ring) and its device CA.
#pragma once

#include <memory>
#include <string>

#include "core/hub_config.h"
#include "core/status.h"
#include "crypto/x509_ca.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::cli {

struct AdminHub {
  HubLayout layout;
  HubConfig config;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::KeyRing> keys;
};

// Opens the hub at `data_dir`; NotFound with a hint to run `vigil init` when there is none.
Result<AdminHub> OpenAdminHub(const std::string& data_dir);

// The device CA's key and certificate.
Result<crypto::KeyAndCert> LoadDeviceCa(const HubLayout& layout);

}  // namespace vigil::cli
