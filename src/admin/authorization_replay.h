// Verification of the authorization state against the ledger: every change of who may do what
// (users and their roles, care teams, consent directives, devices and their patients, patients'
// legal holds, restrictions and erasures) is a
// ledger entry, so the state those entries build must be the state the tables hold. An insider
// who edits the tables directly — granting themselves a patient, moving a device to another
// patient — is named by `vigil verify`, row by row.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ledger/entry.h"
#include "store/store.h"

namespace vigil::admin {

class AuthorizationReplay {
 public:
  // Whether entries of `type` change authorization state (and must be fed to Apply).
  static bool Concerns(ledger::EntryType type);
  // Applies one such entry, in ledger order.
  void Apply(uint64_t index, const ledger::LedgerEntry& entry);
  // DataLoss naming the first row of `store` that the entries do not account for (or an entry
  // whose row is gone); Ok otherwise. `notes` gets what cannot be checked (consent entries
  // written before they carried a digest).
  Status Compare(store::Store& store, std::vector<std::string>& notes) const;

 private:
  Status ComparePrivacy(store::Store& store,
                        const std::vector<store::PatientRecord>& patients) const;

  struct User {
    std::string role, patient;
  };
  struct Device {
    std::string patient, cert_sha256;
    bool revoked = false;
  };
  std::map<std::string, User> users_;
  std::set<std::pair<std::string, std::string>> care_team_;  // (patient, user)
  std::map<std::string, std::string> consent_sha256_;        // patient -> digest ("" unknown)
  std::map<std::string, Device> devices_;
  std::set<std::pair<std::string, std::string>> flags_;  // (patient, flag)
  std::set<std::string> erased_;
};

}  // namespace vigil::admin
