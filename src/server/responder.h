// Containment playbooks (issue #6): what the hub does on its own when an alert is raised, per
// alert kind (`[respond]` in config.toml). Each action is recorded in the ledger
// (`response_taken`) with the alert it answers.
//   quarantine-device  the alert's device is dropped and refused until `vigil device release`
//   block-address      the alert's address is refused on both listeners for block_minutes
//   revoke-sessions    the alert's user is logged out everywhere (fresh password + MFA)
//   none               alert only
#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "detect/alert.h"
#include "ledger/entry.h"
#include "server/address_blocklist.h"
#include "server/device_directory.h"
#include "store/store.h"

namespace vigil::server {

struct Playbooks {
  std::map<std::string, std::string> action_by_kind;  // alert kind -> action
  int64_t block_minutes = 15;
};

// The defaults: quarantine cloned devices, block addresses that spray passwords or storm with
// refused connections, end the sessions of a user browsing many patients.
Playbooks DefaultPlaybooks();
// InvalidArgument unless `action` is one of the four.
Status CheckAction(const std::string& action);

class Responder {
 public:
  using Record = std::function<void(ledger::LedgerEntry)>;
  Responder(const Clock& clock, store::Store& store, DeviceDirectory& directory,
            AddressBlocklist& blocklist, Playbooks playbooks, Record record);

  // Runs the playbook for a new alert stored under `alert_id`.
  void Respond(const detect::Alert& alert, int64_t alert_id);

 private:
  Status Act(const std::string& action, const detect::Alert& alert, std::string& target);

  const Clock& clock_;
  store::Store& store_;
  DeviceDirectory& directory_;
  AddressBlocklist& blocklist_;
  Playbooks playbooks_;
  Record record_;
};

}  // namespace vigil::server
