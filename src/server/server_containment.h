// The server's means of containment for the responder (respond/responder.h): a device is held
// (quarantined, or restricted to vital signs: respond/device_holds.h) and a quarantined one's
// live connection dropped at once; a blocked address may not sign in, on any hub sharing the
// store; a user's sessions are deleted and the account held until a person lifts the hold; a
// clone's readings are marked suspect in the store.
#pragma once

#include <set>
#include <string>

#include "core/clock.h"
#include "respond/address_blocklist.h"
#include "respond/device_holds.h"
#include "respond/responder.h"
#include "server/device_directory.h"
#include "store/store.h"

namespace vigil::server {

class ServerContainment final : public respond::Containment {
 public:
  ServerContainment(store::Store& store, DeviceDirectory& directory,
                    respond::AddressBlocklist& blocklist, std::set<std::string> vitals_only_types)
      : store_(store),
        directory_(directory),
        blocklist_(blocklist),
        vitals_only_types_(std::move(vitals_only_types)) {}

  Status QuarantineDevice(const std::string& device_id, const std::string& reason,
                          int64_t now_ms) override {
    VIGIL_RETURN_IF_ERROR(
        respond::HoldDevice(store_, vitals_only_types_, device_id, reason, now_ms).status());
    directory_.RefreshRevocations();  // a quarantined device's live connection drops now
    return Status::Ok();
  }
  Status BlockAddress(const std::string& address, int64_t for_ms,
                      const std::string& reason) override {
    return blocklist_.Block(address, for_ms, reason);
  }
  Status RevokeSessions(const std::string& username, const std::string& reason) override {
    VIGIL_RETURN_IF_ERROR(
        store_.access().HoldAccount(username, reason, SystemClock::Instance().NowMillis()));
    return store_.access().DeleteUserSessions(username).status();
  }
  Status MarkSuspect(const std::string& device_id, std::span<const uint64_t> seqs,
                     const std::string& reason) override {
    VIGIL_ASSIGN_OR_RETURN(auto device, store_.FindDevice(device_id));
    if (!device) return Status::NotFound("no device " + device_id);
    return store_.MarkSuspect(device->patient_id, device_id, seqs, reason);
  }

 private:
  store::Store& store_;
  DeviceDirectory& directory_;
  respond::AddressBlocklist& blocklist_;
  std::set<std::string> vitals_only_types_;  // [respond] vitals_only_device_types
};

}  // namespace vigil::server
