#include "admin/authorization_replay.h"

#include "crypto/bytes.h"
#include "events/audit_records.h"

namespace vigil::admin {

using ledger::EntryType;
using ledger::LedgerEntry;

namespace {

Status Mismatch(const std::string& what) {
  return Status::DataLoss(what +
                          ": the authorization tables were changed outside the hub (no ledger "
                          "entry accounts for it)");
}

}  // namespace

bool AuthorizationReplay::Concerns(EntryType type) {
  return type == EntryType::kUserAdded || type == EntryType::kCareTeamChanged ||
         type == EntryType::kConsentChanged || type == EntryType::kDeviceEnrolled ||
         type == EntryType::kDeviceRevoked || type == EntryType::kPatientErased ||
         type == EntryType::kPatientFlagChanged;
}

void AuthorizationReplay::Apply(uint64_t, const LedgerEntry& e) {
  namespace audit = events::audit;
  if (auto user = events::As<audit::UserAdded>(e)) {
    users_[user->user] = {user->role, user->patient};
  } else if (auto change = events::As<audit::CareTeamChanged>(e)) {
    if (change->change == "added") {
      care_team_.insert({change->patient, change->user});
    } else {
      care_team_.erase({change->patient, change->user});
    }
  } else if (auto consent = events::As<audit::ConsentChanged>(e)) {
    consent_sha256_[consent->patient] = consent->consent_sha256;
  } else if (auto enrolled = events::As<audit::DeviceEnrolled>(e)) {
    devices_[enrolled->device] = {enrolled->patient, enrolled->cert_sha256, false};
  } else if (auto revoked = events::As<audit::DeviceRevoked>(e)) {
    devices_[revoked->device].revoked = true;
  } else if (auto erased = events::As<audit::PatientErased>(e)) {
    // The erasure takes the patient's care team, consent and devices with it.
    erased_.insert(erased->patient);
    std::erase_if(care_team_, [&](const auto& member) { return member.first == erased->patient; });
    consent_sha256_.erase(erased->patient);
    for (auto& [id, device] : devices_) device.revoked |= device.patient == erased->patient;
  } else if (auto flag = events::As<audit::PatientFlagChanged>(e)) {
    if (flag->change == "set") {
      flags_.insert({flag->patient, flag->flag});
    } else {
      flags_.erase({flag->patient, flag->flag});
    }
  }
}

Status AuthorizationReplay::ComparePrivacy(
    store::Store& store, const std::vector<store::PatientRecord>& patients) const {
  std::set<std::pair<std::string, std::string>> stored_flags;
  for (const auto& p : patients) {
    VIGIL_ASSIGN_OR_RETURN(auto flags, store.privacy().Flags(p.id));
    for (const auto& f : flags) stored_flags.insert({p.id, std::string(PatientFlagName(f.flag))});
  }
  if (stored_flags != flags_) {
    return Mismatch("the patients' legal holds and restrictions (" +
                    std::to_string(stored_flags.size()) + " set) are not those the ledger set (" +
                    std::to_string(flags_.size()) + ")");
  }
  VIGIL_ASSIGN_OR_RETURN(auto erasures, store.privacy().ErasuresAfter(0));
  std::set<std::string> stored_erasures;
  for (const auto& e : erasures) stored_erasures.insert(e.patient_id);
  for (const auto& id : erased_) {
    if (!stored_erasures.count(id))
      return Mismatch("patient " + id + " was erased; the record of it is gone");
  }
  for (const auto& id : stored_erasures) {
    if (!erased_.count(id)) return Mismatch("patient " + id + " is marked erased without an entry");
  }
  return Status::Ok();
}

Status AuthorizationReplay::Compare(store::Store& store, std::vector<std::string>& notes) const {
  auto& access = store.access();
  VIGIL_ASSIGN_OR_RETURN(auto users, access.ListUsers());
  std::set<std::string> seen;
  for (const auto& u : users) {
    seen.insert(u.username);
    const auto it = users_.find(u.username);
    if (it == users_.end()) return Mismatch("user " + u.username + " has no user_added entry");
    if (it->second.role != u.role || it->second.patient != u.patient_id) {
      return Mismatch("user " + u.username + " is " + u.role +
                      (u.patient_id.empty() ? "" : " of patient " + u.patient_id) +
                      ", but was added as " + it->second.role +
                      (it->second.patient.empty() ? "" : " of patient " + it->second.patient));
    }
  }
  for (const auto& [name, user] : users_) {
    if (!seen.count(name)) return Mismatch("user " + name + " was added but is gone");
  }
  VIGIL_ASSIGN_OR_RETURN(auto patients, store.ListPatients());
  std::set<std::pair<std::string, std::string>> stored_team;
  for (const auto& p : patients) {
    VIGIL_ASSIGN_OR_RETURN(auto members, access.CareTeam(p.id));
    for (const auto& m : members) stored_team.insert({p.id, m});
    VIGIL_ASSIGN_OR_RETURN(auto consent, access.FindConsent(p.id));
    const auto recorded = consent_sha256_.find(p.id);
    if (consent && recorded == consent_sha256_.end()) {
      return Mismatch("the consent of patient " + p.id + " has no consent_changed entry");
    }
    if (consent && recorded->second.empty()) {
      notes.push_back("the consent of patient " + p.id +
                      " was last changed by a hub that did not record its digest: its content "
                      "is not checked");
    } else if (consent && recorded->second != crypto::Hex(crypto::Sha256(*consent))) {
      return Mismatch("the consent of patient " + p.id + " differs from its last recorded change");
    }
  }
  for (const auto& [patient, user] : stored_team) {
    if (!care_team_.count({patient, user})) {
      return Mismatch("user " + user + " is on patient " + patient + "'s care team");
    }
  }
  for (const auto& [patient, user] : care_team_) {
    if (!stored_team.count({patient, user})) {
      return Mismatch("user " + user + " was added to patient " + patient +
                      "'s care team, and is gone from it");
    }
  }
  VIGIL_RETURN_IF_ERROR(ComparePrivacy(store, patients));
  VIGIL_ASSIGN_OR_RETURN(auto devices, store.ListDevices());
  for (const auto& d : devices) {
    const auto it = devices_.find(d.id);
    if (it == devices_.end()) return Mismatch("device " + d.id + " has no device_enrolled entry");
    if (it->second.patient != d.patient_id || it->second.cert_sha256 != d.cert_fingerprint) {
      return Mismatch("device " + d.id + " is bound to patient " + d.patient_id +
                      " and a certificate other than those it was enrolled with");
    }
    if (it->second.revoked != (d.status == store::DeviceStatus::kRevoked)) {
      return Mismatch(
          "device " + d.id +
          (it->second.revoked ? " was revoked, but is active" : " is revoked without an entry"));
    }
  }
  return Status::Ok();
}

}  // namespace vigil::admin
