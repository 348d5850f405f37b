// Administration of a hub's records, shared by the `vigil` commands and the simulator: opening
// an existing hub (layout, validated config, store, key ring), adding patients and enrolling
// devices with certificates from the hub's device CA.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/hub_config.h"
#include "core/status.h"
#include "crypto/x509_ca.h"
#include "ledger/audit_trails.h"
#include "ledger/ledger.h"
#include "store/keyring.h"
#include "store/store.h"

namespace vigil::admin {

struct AdminHub {
  HubLayout layout;
  HubConfig config;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::KeyRing> keys;
  std::unique_ptr<ledger::Ledger> ledger;           // every administrative change is recorded here
  std::unique_ptr<ledger::LedgerAuditTrail> audit;  // the ledger as an AuditTrail
};

// The parts of a hub an administrative change works with: an AdminHub's (the `vigil` commands)
// or a running hub's (the console's administration pages), and who makes the change.
struct AdminParts {
  const HubLayout& layout;  // the device CA
  std::string hub_name;     // the issuer shown in authenticator apps
  store::Store& store;
  store::KeyRing& keys;
  events::AuditTrail& audit;  // every change is recorded here before it returns
  std::string by;             // as the ledger names them: "os:<name>" or a username
};

// The AdminHub's parts, changes made by the operating-system user running the command.
AdminParts PartsOf(AdminHub& hub);

// Tells a command's user (stderr) that the store is being migrated (store::MigrationNotice).
void NoticeMigrationOnStderr(int from_version, int to_version);

// Ok if `layout` holds a hub's config.toml; NotFound saying how to make one (a new hub) or
// restore it (a hub whose database is there) otherwise.
Status CheckHubPresent(const HubLayout& layout);

// Opens the hub at `data_dir`; NotFound with a hint to run `vigil init` when there is none.
Result<AdminHub> OpenAdminHub(const std::string& data_dir);

// Adds a patient whose name and birth date (YYYY-MM-DD) are sealed under a new data key.
Status AddPatient(const AdminParts& hub, const std::string& id, const std::string& name,
                  const std::string& birth_date);
inline Status AddPatient(AdminHub& hub, const std::string& id, const std::string& name,
                         const std::string& birth_date) {
  return AddPatient(PartsOf(hub), id, name, birth_date);
}

struct DeviceEnrolment {
  std::string id, patient_id, type;
  std::string csr_pem;  // sign this CSR; empty: generate the device's key here
  int days = 825;
};

struct EnrolledDevice {
  std::string key_pem;  // empty when the device made its own key
  std::string cert_pem;
  std::string ca_pem;
  crypto::CertificateInfo info;
};

// Issues the device's certificate and records the device (its certificate's fingerprint is
// the only one it may connect with), and the enrolment in the ledger.
Result<EnrolledDevice> EnrolDevice(const AdminParts& hub, const DeviceEnrolment& enrolment);
inline Result<EnrolledDevice> EnrolDevice(AdminHub& hub, const DeviceEnrolment& enrolment) {
  return EnrolDevice(PartsOf(hub), enrolment);
}

// Revokes a device and records it in the ledger (a running hub drops its connections within a
// second: server::DeviceDirectory). NotFound for an unknown device.
Status RevokeDevice(const AdminParts& hub, const std::string& device_id);
inline Status RevokeDevice(AdminHub& hub, const std::string& device_id) {
  return RevokeDevice(PartsOf(hub), device_id);
}

// The operating-system user running a command, as the ledger names them ("os:<name>").
std::string OperatorIdentity();

// Records, before anything is shown, that the operator running `command` read the decrypted
// data of each of `patients` (`resource` names what, e.g. "Observation?patient="; the patient
// id is appended): one `access` entry each (role "operator", basis "cli"), so the CLI's reads
// appear in the ledger and in each patient's accounting of disclosures like the API's.
Status RecordOperatorReads(AdminHub& hub, const std::vector<std::string>& patients,
                           const std::string& resource, const std::string& command);

// Writes <dir>/<id>.crt, <dir>/ca.crt and, when there is one, <dir>/<id>.key (0600).
Status WriteDeviceCredentials(const std::string& dir, const std::string& device_id,
                              const EnrolledDevice& device);

}  // namespace vigil::admin
