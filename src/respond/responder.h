// Containment playbooks: what the hub does on its own when an alert is raised, per alert kind
// (`[respond]` in config.toml). Each action taken is reported as a Response: the hub puts it on
// the incident's timeline and records it in the ledger (`response_taken`).
//   quarantine-device  the alert's device is dropped and refused until `vigil device release`
//   block-address      the alert's address is refused on both listeners for block_minutes
//   revoke-sessions    the alert's user is logged out everywhere (fresh password + MFA)
//   none               alert only
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "events/alert.h"
#include "events/response_action.h"
#include "respond/respond_options.h"

namespace vigil::respond {

struct Playbooks {
  std::map<events::AlertKind, events::ResponseAction> action_by_kind;
  int64_t block_minutes = 15;
};

// The defaults: quarantine cloned devices, block addresses that spray passwords or storm with
// refused connections, end the sessions of a user browsing many patients.
Playbooks DefaultPlaybooks();
// The defaults with `[respond]` applied; InvalidArgument naming the key for an unknown alert
// kind or action.
Result<Playbooks> PlaybooksOf(const RespondOptions& options);

// The means of containment, provided by whoever holds the devices' connections, the address
// blocklist and the sessions (the server).
class Containment {
 public:
  virtual ~Containment() = default;
  // Refuses the device until released and drops its live connection; `reason`: the alert kind.
  virtual Status QuarantineDevice(const std::string& device_id, const std::string& reason,
                                  int64_t now_ms) = 0;
  // Refuses sign-ins from the address for `for_ms`, on every hub; `reason`: the alert.
  virtual Status BlockAddress(const std::string& address, int64_t for_ms,
                              const std::string& reason) = 0;
  // Ends the user's sessions and holds the account until a person lifts the hold (`vigil user
  // unlock`), on every hub; `reason`: the alert.
  virtual Status RevokeSessions(const std::string& username, const std::string& reason) = 0;
  // Marks the device's stored messages `seqs` suspect for `reason` (store::SuspectReading), so
  // that clinicians see the readings labelled; not containment: the device is not touched.
  virtual Status MarkSuspect(const std::string& device_id, std::span<const uint64_t> seqs,
                             const std::string& reason) = 0;
};

// One containment action taken for an alert.
struct Response {
  int64_t alert_id = 0;
  events::ResponseAction action = events::ResponseAction::kNone;
  std::string target;  // the device id, address or username acted on
  int64_t time_ms = 0;
};

class Responder {
 public:
  using Record = std::function<void(const Response&)>;
  Responder(const Clock& clock, Containment& containment, Playbooks playbooks, Record record);

  // Runs the playbook for a new alert stored under `alert_id`.
  void Respond(const events::Alert& alert, int64_t alert_id);

 private:
  // Marks the readings an alert's evidence names (`suspect_seqs`, `suspect_reason`) suspect,
  // whatever the playbook: labelling readings cuts no care off.
  void MarkSuspectReadings(const events::Alert& alert, int64_t alert_id);
  // The target acted on, or why nothing could be done.
  Result<std::string> Act(events::ResponseAction action, const events::Alert& alert,
                          int64_t alert_id);

  const Clock& clock_;
  Containment& containment_;
  Playbooks playbooks_;
  Record record_;
};

}  // namespace vigil::respond
