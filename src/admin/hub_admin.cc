#include "admin/hub_admin.h"

#include <pwd.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "admin/hub_integrity.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/time_format.h"
#include "crypto/bytes.h"
#include "events/audit_records.h"
#include "model/device_types.h"
#include "model/reading.h"
#include "store/sealed_record.h"

namespace vigil::admin {
namespace {

Status CheckId(const std::string& id, const char* what) {
  if (!model::IsValidEntityId(id)) {
    return Status::InvalidArgument(std::string(what) +
                                   " id must be 1-40 of A-Z a-z 0-9 . - (starting alphanumeric)");
  }
  return Status::Ok();
}

Result<crypto::KeyAndCert> LoadDeviceCa(const HubLayout& layout) {
  crypto::KeyAndCert ca;
  VIGIL_ASSIGN_OR_RETURN(ca.key_pem, ReadFile(layout.ca_key()));
  VIGIL_ASSIGN_OR_RETURN(ca.cert_pem, ReadFile(layout.ca_cert()));
  return ca;
}

}  // namespace

AdminParts PartsOf(AdminHub& hub) {
  return {hub.layout, hub.config.hub_name, *hub.store, *hub.keys, *hub.audit, OperatorIdentity()};
}

void NoticeMigrationOnStderr(int from_version, int to_version) {
  std::cerr << "vigil: " << store::DescribeMigration(from_version, to_version) << std::endl;
}

Status CheckHubPresent(const HubLayout& layout) {
  if (PathExists(layout.config())) return Status::Ok();
  if (PathExists(layout.database()) || PathExists(layout.ledger_verifier_key())) {
    return Status::NotFound(layout.config() +
                            " is missing: restore it from your backup of the hub, or write a "
                            "default one with `vigil init --data-dir " +
                            layout.root +
                            " --config-only` (named as ledger.vkey says; add --store URL if the "
                            "hub keeps its data in PostgreSQL)");
  }
  return Status::NotFound("no hub at " + layout.root + " (run `vigil init --data-dir " +
                          layout.root + "` first)");
}

Result<AdminHub> OpenAdminHub(const std::string& data_dir) {
  AdminHub hub{HubLayout(data_dir), {}, nullptr, nullptr, nullptr, nullptr};
  VIGIL_RETURN_IF_ERROR(CheckHubPresent(hub.layout));
  VIGIL_ASSIGN_OR_RETURN(hub.config, LoadHubConfig(hub.layout.config()));
  VIGIL_ASSIGN_OR_RETURN(std::string master, store::LoadMasterKey(hub.layout.master_key()));
  VIGIL_ASSIGN_OR_RETURN(hub.store, OpenHubStore(hub.config, hub.layout, NoticeMigrationOnStderr));
  hub.keys =
      std::make_unique<store::KeyRing>(*hub.store, std::move(master), hub.layout.master_key());
  VIGIL_ASSIGN_OR_RETURN(hub.ledger, ledger::Ledger::Open(*hub.store));
  hub.audit = std::make_unique<ledger::LedgerAuditTrail>(*hub.ledger);
  return hub;
}

Status AddPatient(const AdminParts& hub, const std::string& id, const std::string& name,
                  const std::string& birth_date) {
  VIGIL_RETURN_IF_ERROR(CheckId(id, "patient"));
  if (name.empty()) return Status::InvalidArgument("a patient needs a name");
  VIGIL_ASSIGN_OR_RETURN(std::string date, CanonicalDate(birth_date));
  VIGIL_ASSIGN_OR_RETURN(auto existing, hub.store.FindPatient(id));
  if (existing) return Status::AlreadyExists("patient " + id + " exists");
  VIGIL_ASSIGN_OR_RETURN(auto key, hub.keys.MakeDataKey(id));
  const nlohmann::json demographics = {{"name", name}, {"birthDate", date}};
  auto sealed = store::SealDemographics(key.key, id, demographics.dump());
  crypto::Wipe(key.key);
  if (!sealed.ok()) return sealed.status();
  const int64_t now = SystemClock::Instance().NowMillis();
  VIGIL_RETURN_IF_ERROR(hub.store.InsertPatient({id, std::move(sealed).value(), now}, key.wrapped));
  return hub.audit.Append(
      events::Record(now, events::audit::PatientAdded{.patient = id, .by = hub.by}));
}

Result<EnrolledDevice> EnrolDevice(const AdminParts& hub, const DeviceEnrolment& e) {
  VIGIL_RETURN_IF_ERROR(CheckId(e.id, "device"));
  if (!model::DeviceTypes().count(e.type)) {
    return Status::InvalidArgument("device type must be one of: " + model::DeviceTypeList());
  }
  VIGIL_ASSIGN_OR_RETURN(auto patient, hub.store.FindPatient(e.patient_id));
  if (!patient) return Status::NotFound("no patient " + e.patient_id + " (add it first)");
  VIGIL_ASSIGN_OR_RETURN(auto erased, hub.store.privacy().FindErasure(e.patient_id));
  if (erased) return Status::FailedPrecondition("Patient/" + e.patient_id + " was erased");
  VIGIL_ASSIGN_OR_RETURN(auto existing, hub.store.FindDevice(e.id));
  if (existing) return Status::AlreadyExists("device " + e.id + " is already enrolled");
  VIGIL_ASSIGN_OR_RETURN(auto ca, LoadDeviceCa(hub.layout));
  EnrolledDevice out;
  out.ca_pem = ca.cert_pem;
  if (!e.csr_pem.empty()) {
    VIGIL_ASSIGN_OR_RETURN(out.cert_pem,
                           crypto::IssueDeviceCertificateForCsr(ca, e.id, e.csr_pem, e.days));
  } else {
    VIGIL_ASSIGN_OR_RETURN(out.key_pem, crypto::GeneratePrivateKeyPem());
    VIGIL_ASSIGN_OR_RETURN(out.cert_pem,
                           crypto::IssueDeviceCertificateForKey(ca, e.id, out.key_pem, e.days));
  }
  VIGIL_ASSIGN_OR_RETURN(out.info, crypto::InspectCertificatePem(out.cert_pem));
  store::DeviceRecord device;
  device.id = e.id;
  device.patient_id = e.patient_id;
  device.type = e.type;
  device.cert_serial = out.info.serial_hex;
  device.cert_fingerprint = out.info.sha256_fingerprint;
  device.enrolled_ms = SystemClock::Instance().NowMillis();
  VIGIL_RETURN_IF_ERROR(hub.store.InsertDevice(device));
  VIGIL_RETURN_IF_ERROR(
      hub.store.RecordDeviceActivity({{e.id, 0, out.info.not_after_epoch_seconds * 1000}}));
  VIGIL_RETURN_IF_ERROR(hub.audit.Append(events::Record(
      device.enrolled_ms, events::audit::DeviceEnrolled{.device = e.id,
                                                        .patient = e.patient_id,
                                                        .type = e.type,
                                                        .cert_sha256 = out.info.sha256_fingerprint,
                                                        .by = hub.by})));
  return out;
}

Status RevokeDevice(const AdminParts& hub, const std::string& device_id) {
  VIGIL_RETURN_IF_ERROR(hub.store.SetDeviceStatus(device_id, store::DeviceStatus::kRevoked));
  return hub.audit.Append(
      events::Record(SystemClock::Instance().NowMillis(),
                     events::audit::DeviceRevoked{.device = device_id, .by = hub.by}));
}

std::string OperatorIdentity() {
  const passwd* pw = ::getpwuid(::geteuid());
  return std::string("os:") + (pw && pw->pw_name ? pw->pw_name : std::to_string(::geteuid()));
}

Status RecordOperatorReads(AdminHub& hub, const std::vector<std::string>& patients,
                           const std::string& resource, const std::string& command) {
  const int64_t now = SystemClock::Instance().NowMillis();
  const std::string who = OperatorIdentity();
  std::vector<events::AuditRecord> entries;
  entries.reserve(patients.size());
  for (const auto& patient : patients) {
    entries.push_back(events::Record(now, events::audit::Access{.user = who,
                                                                .role = "operator",
                                                                .patient = patient,
                                                                .action = "read",
                                                                .resource = resource + patient,
                                                                .decision = "allowed",
                                                                .basis = "cli: " + command}));
  }
  if (entries.empty()) return Status::Ok();
  return hub.ledger->Append(entries);
}

Status WriteDeviceCredentials(const std::string& dir, const std::string& device_id,
                              const EnrolledDevice& device) {
  if (!PathExists(dir)) VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  if (!device.key_pem.empty()) {
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + device_id + ".key", device.key_pem, 0600));
  }
  VIGIL_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/" + device_id + ".crt", device.cert_pem, 0644, Overwrite::kReplace));
  return WriteFileAtomic(dir + "/ca.crt", device.ca_pem, 0644, Overwrite::kReplace);
}

}  // namespace vigil::admin
