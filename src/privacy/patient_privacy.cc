#include "privacy/patient_privacy.h"

#include <algorithm>

#include "core/clock.h"
#include "events/audit_records.h"
#include "respond/breach_report.h"

namespace vigil::privacy {
namespace {

constexpr size_t kMaxReason = 300;

// FailedPrecondition naming the first open incident whose breach report counts the patient.
Status RefuseWhileInvestigated(store::Store& store, const std::string& patient_id, int64_t now) {
  VIGIL_ASSIGN_OR_RETURN(auto open, store.alerts().ListIncidents("open", 1000));
  for (const auto& incident : open) {
    VIGIL_ASSIGN_OR_RETURN(auto report, respond::BuildBreachReport(store, incident.id, now));
    for (const auto& affected : report.patients) {
      if (affected.patient_id == patient_id) {
        return Status::FailedPrecondition(
            "incident " + std::to_string(incident.id) + " (" + incident.title +
            ") is open and affects Patient/" + patient_id +
            ": their data may be evidence; close the incident before erasing");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckRequestReason(const std::string& reason) {
  if (reason.empty()) {
    return Status::InvalidArgument("a reason is required (the request's reference, e.g. a ticket)");
  }
  if (reason.size() > kMaxReason) {
    return Status::InvalidArgument("the reason is over " + std::to_string(kMaxReason) +
                                   " characters");
  }
  if (std::any_of(reason.begin(), reason.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return Status::InvalidArgument("the reason must be one line of text");
  }
  return Status::Ok();
}

Result<store::ErasureRecord> ErasePatient(const PrivacyParts& hub, const std::string& patient_id,
                                          const std::string& reason) {
  VIGIL_RETURN_IF_ERROR(CheckRequestReason(reason));
  VIGIL_ASSIGN_OR_RETURN(auto patient, hub.store.FindPatient(patient_id));
  if (!patient) return Status::NotFound("no Patient/" + patient_id);
  const int64_t now = SystemClock::Instance().NowMillis();
  VIGIL_RETURN_IF_ERROR(RefuseWhileInvestigated(hub.store, patient_id, now));
  VIGIL_ASSIGN_OR_RETURN(store::ErasureRecord erasure,
                         hub.store.privacy().Erase(patient_id, hub.by, now));
  hub.keys.Forget(patient_id);
  Status recorded = hub.audit.Append(events::Record(
      now, events::audit::PatientErased{.patient = patient_id,
                                        .by = hub.by,
                                        .reason = reason,
                                        .devices = store::JoinEntities(erasure.devices_revoked),
                                        .readings = std::to_string(erasure.readings)}));
  if (!recorded.ok()) {
    return Status(recorded.code(),
                  "Patient/" + patient_id +
                      " was erased, but the ledger entry was not written: " + recorded.message());
  }
  return erasure;
}

Status ChangePatientFlag(const PrivacyParts& hub, const std::string& patient_id,
                         store::PatientFlag flag, bool set, const std::string& reason) {
  VIGIL_RETURN_IF_ERROR(CheckRequestReason(reason));
  const int64_t now = SystemClock::Instance().NowMillis();
  if (set) {
    VIGIL_RETURN_IF_ERROR(hub.store.privacy().PutFlag({patient_id, flag, reason, hub.by, now}));
  } else {
    VIGIL_RETURN_IF_ERROR(hub.store.privacy().RemoveFlag(patient_id, flag));
  }
  return hub.audit.Append(events::Record(
      now, events::audit::PatientFlagChanged{.patient = patient_id,
                                             .flag = std::string(store::PatientFlagName(flag)),
                                             .change = set ? "set" : "lifted",
                                             .by = hub.by,
                                             .reason = reason}));
}

Result<std::vector<std::string>> ForgetErasedKeys(store::PrivacyStore& privacy,
                                                  store::KeyRing& keys, int64_t* seen) {
  VIGIL_ASSIGN_OR_RETURN(auto erasures, privacy.ErasuresAfter(*seen));
  std::vector<std::string> forgotten;
  for (const auto& e : erasures) {
    keys.Forget(e.patient_id);
    forgotten.push_back(e.patient_id);
    *seen = std::max(*seen, e.seq);
  }
  return forgotten;
}

}  // namespace vigil::privacy
