// `vigil patient erase`, `vigil patient hold`, `vigil patient restrict`: a data protection
// officer's requests about one patient, made through admin/patient_privacy.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <string>

#include "admin/hub_admin.h"
#include "admin/key_rotation.h"
#include "cli/commands.h"
#include "privacy/patient_privacy.h"

namespace vigil::cli {
namespace {

// The operator types the patient's id back, unless --yes: an erasure cannot be undone.
Status Confirm(const PatientPrivacyOptions& o) {
  if (o.yes) return Status::Ok();
  if (!::isatty(STDIN_FILENO)) {
    return Status::FailedPrecondition(
        "erasure cannot be undone: pass --yes to confirm when not at a terminal");
  }
  std::cerr << "Erasing Patient/" << o.id
            << " destroys their data key: their record and readings can never be read again.\n"
               "Type the patient id to confirm: ";
  std::string typed;
  std::getline(std::cin, typed);
  if (typed != o.id) return Status::FailedPrecondition("not confirmed: nothing was erased");
  return Status::Ok();
}

privacy::PrivacyParts PrivacyPartsOf(admin::AdminHub& hub) {
  return {*hub.store, *hub.keys, *hub.audit, admin::OperatorIdentity()};
}

}  // namespace

Status RunPatientErase(const PatientPrivacyOptions& o) {
  VIGIL_RETURN_IF_ERROR(Confirm(o));
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(o.data_dir));
  const auto started = std::chrono::steady_clock::now();
  VIGIL_ASSIGN_OR_RETURN(store::ErasureRecord erased,
                         privacy::ErasePatient(PrivacyPartsOf(hub), o.id, o.reason));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::cout << "Erased Patient/" << o.id << " in " << took.count() << " ms: data key destroyed, "
            << erased.readings << " stored readings unreadable, " << erased.devices_revoked.size()
            << " device(s) revoked"
            << (erased.devices_revoked.empty()
                    ? ""
                    : " (" + store::JoinEntities(erased.devices_revoked) + ")")
            << "; recorded in the ledger (patient_erased)\n"
               "A running hub forgets its copy of the key within a second.\n";
  if (!erased.residue.empty()) std::cout << "Note: " << erased.residue << "\n";
  return Status::Ok();
}

Status RunRotateMasterKey(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(admin::RotationResult done, admin::RotateMasterKey(hub));
  std::cout << (done.resumed ? "Finished an interrupted rotation: " : "Master key rotated: ")
            << done.data_keys << " patient data key(s) and " << done.secrets
            << " secret(s) rewrapped; recorded in the ledger (master_key_rotated).\n"
               "Back up the new keys/master.key offline now: the old one opens nothing any more. "
               "A running hub takes the new key by itself; other hubs sharing this store need "
               "the new file too.\n";
  return Status::Ok();
}

Status RunPatientFlag(const PatientPrivacyOptions& o, bool restriction) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(o.data_dir));
  const auto flag = restriction ? store::PatientFlag::kRestricted : store::PatientFlag::kLegalHold;
  VIGIL_RETURN_IF_ERROR(
      privacy::ChangePatientFlag(PrivacyPartsOf(hub), o.id, flag, !o.lift, o.reason));
  const char* what = restriction ? "Processing of Patient/" : "Legal hold on Patient/";
  std::cout << what << o.id << (o.lift ? " lifted" : (restriction ? " restricted" : " placed"))
            << "; recorded in the ledger (patient_flag_changed)\n";
  return Status::Ok();
}

}  // namespace vigil::cli
