#include "store/privacy_store.h"

#include "core/time_format.h"

namespace vigil::store {

std::string_view PatientFlagName(PatientFlag flag) {
  return flag == PatientFlag::kLegalHold ? "legal-hold" : "restricted";
}

std::optional<PatientFlag> ParsePatientFlag(std::string_view name) {
  if (name == "legal-hold") return PatientFlag::kLegalHold;
  if (name == "restricted") return PatientFlag::kRestricted;
  return std::nullopt;
}

Status ExplainFlagInsert(Status inserted, const PatientFlagRecord& f) {
  if (inserted.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("Patient/" + f.patient_id + " is " +
                                 std::string(PatientFlagName(f.flag)) + " already");
  }
  if (inserted.code() == StatusCode::kFailedPrecondition) {
    return Status::FailedPrecondition("no Patient/" + f.patient_id);
  }
  return inserted;
}

Status RefuseErased(PrivacyStore& privacy, const std::string& patient_id) {
  VIGIL_ASSIGN_OR_RETURN(auto erasure, privacy.FindErasure(patient_id));
  if (!erasure) return Status::Ok();
  return Status::Gone("Patient/" + patient_id + " was erased on " +
                      FormatRfc3339Millis(erasure->erased_ms).substr(0, 10) +
                      " (GDPR Art. 17 erasure): nothing of the record can be read");
}

}  // namespace vigil::store
