#include "cli/hub_admin.h"

#include "core/files.h"

namespace vigil::cli {

Result<AdminHub> OpenAdminHub(const std::string& data_dir) {
  AdminHub hub{HubLayout(data_dir), {}, nullptr, nullptr};
  if (!PathExists(hub.layout.config())) {
    return Status::NotFound("no hub at " + data_dir + " (run `vigil init --data-dir " + data_dir +
                            "` first)");
  }
  VIGIL_ASSIGN_OR_RETURN(hub.config, LoadHubConfig(hub.layout.config()));
  VIGIL_ASSIGN_OR_RETURN(std::string master, store::LoadMasterKey(hub.layout.master_key()));
  VIGIL_ASSIGN_OR_RETURN(
      hub.store, store::OpenSqliteStore(hub.layout.database(), store::OpenMode::kOpenExisting));
  hub.keys = std::make_unique<store::KeyRing>(*hub.store, std::move(master));
  return hub;
}

Result<crypto::KeyAndCert> LoadDeviceCa(const HubLayout& layout) {
  crypto::KeyAndCert ca;
  VIGIL_ASSIGN_OR_RETURN(ca.key_pem, ReadFile(layout.ca_key()));
  VIGIL_ASSIGN_OR_RETURN(ca.cert_pem, ReadFile(layout.ca_cert()));
  return ca;
}

}  // namespace vigil::cli
