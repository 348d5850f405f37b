#include "ledger/authorization_replay.h"

#include "crypto/bytes.h"

namespace vigil::ledger {
namespace {

std::string Field(const LedgerEntry& e, const char* name) {
  const auto it = e.fields.find(name);
  return it == e.fields.end() ? std::string() : it->second;
}

Status Mismatch(const std::string& what) {
  return Status::DataLoss(what +
                          ": the authorization tables were changed outside the hub (no ledger "
                          "entry accounts for it)");
}

}  // namespace

bool AuthorizationReplay::Concerns(EntryType type) {
  return type == EntryType::kUserAdded || type == EntryType::kCareTeamChanged ||
         type == EntryType::kConsentChanged || type == EntryType::kDeviceEnrolled ||
         type == EntryType::kDeviceRevoked;
}

void AuthorizationReplay::Apply(uint64_t, const LedgerEntry& e) {
  switch (e.type) {
    case EntryType::kUserAdded:
      users_[Field(e, "user")] = {Field(e, "role"), Field(e, "patient")};
      break;
    case EntryType::kCareTeamChanged:
      if (Field(e, "change") == "added") {
        care_team_.insert({Field(e, "patient"), Field(e, "user")});
      } else {
        care_team_.erase({Field(e, "patient"), Field(e, "user")});
      }
      break;
    case EntryType::kConsentChanged:
      consent_sha256_[Field(e, "patient")] = Field(e, "consent_sha256");
      break;
    case EntryType::kDeviceEnrolled:
      devices_[Field(e, "device")] = {Field(e, "patient"), Field(e, "cert_sha256"), false};
      break;
    case EntryType::kDeviceRevoked:
      devices_[Field(e, "device")].revoked = true;
      break;
    default:
      break;
  }
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

}  // namespace vigil::ledger
