// The server's means of containment for the responder (respond/responder.h): a quarantined
// device is marked in the store and its live connection dropped at once; a blocked address may
// not sign in, on any hub sharing the store; revoked sessions are deleted from the store.
#pragma once

#include "respond/address_blocklist.h"
#include "respond/responder.h"
#include "server/device_directory.h"
#include "store/store.h"

namespace vigil::server {

class ServerContainment final : public respond::Containment {
 public:
  ServerContainment(store::Store& store, DeviceDirectory& directory,
                    respond::AddressBlocklist& blocklist)
      : store_(store), directory_(directory), blocklist_(blocklist) {}

  Status QuarantineDevice(const std::string& device_id, const std::string& reason,
                          int64_t now_ms) override {
    VIGIL_RETURN_IF_ERROR(store_.QuarantineDevice(device_id, reason, now_ms));
    directory_.RefreshRevocations();  // drops its live connection now
    return Status::Ok();
  }
  Status BlockAddress(const std::string& address, int64_t for_ms,
                      const std::string& reason) override {
    return blocklist_.Block(address, for_ms, reason);
  }
  Status RevokeSessions(const std::string& username) override {
    return store_.access().DeleteUserSessions(username).status();
  }

 private:
  store::Store& store_;
  DeviceDirectory& directory_;
  respond::AddressBlocklist& blocklist_;
};

}  // namespace vigil::server
