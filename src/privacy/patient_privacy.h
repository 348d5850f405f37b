// Data-protection requests about one patient, shared by `vigil patient erase|hold|restrict` and
// the privacy officer's API (/privacy/): legal holds, restriction of processing (GDPR Art. 18) and
// erasure by destroying the patient's data key (Art. 17). Each change is recorded in the ledger;
// nothing recorded holds the patient's data (docs/privacy.md says what the ledger keeps).
#pragma once

#include <string>

#include "events/audit_trail.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::privacy {

// What a data-protection change works with, and who makes it ("os:<name>" or a user).
struct PrivacyParts {
  store::Store& store;
  store::KeyRing& keys;
  events::AuditTrail& audit;  // every change is recorded here before it returns
  std::string by;
};

// Erases `patient_id` (PrivacyStore::Erase), wipes the key from `hub.keys`, and records a
// `patient_erased` tombstone naming `reason` (a request's reference, required). Refused with
// FailedPrecondition, changing nothing, while a legal hold stands or while an open incident
// names the patient (their data may be evidence: respond/breach_report.h decides whom an
// incident affects). Other hubs forget the key within a second (ForgetErasedKeys).
Result<store::ErasureRecord> ErasePatient(const PrivacyParts& hub, const std::string& patient_id,
                                          const std::string& reason);

// Ok for a reason a request may carry into the ledger: one line of 1 to 300 characters;
// InvalidArgument saying what is wrong otherwise.
Status CheckRequestReason(const std::string& reason);

// Sets (`set`) or lifts a legal hold or a restriction, with a reason, recorded in the ledger.
Status ChangePatientFlag(const PrivacyParts& hub, const std::string& patient_id,
                         store::PatientFlag flag, bool set, const std::string& reason);

// Wipes the cached keys of patients erased (by any process) after `*seen`, and advances it: a
// running hub calls it once a second. The patients whose keys it wiped.
Result<std::vector<std::string>> ForgetErasedKeys(store::PrivacyStore& privacy,
                                                  store::KeyRing& keys, int64_t* seen);

}  // namespace vigil::privacy
