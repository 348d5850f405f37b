// Patients, devices and reading them back: `vigil patient`, `vigil device`, `vigil observations`.
#include <sys/stat.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "cli/hub_admin.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/time_format.h"
#include "crypto/bytes.h"
#include "crypto/x509_ca.h"
#include "model/reading.h"
#include "store/sealed_record.h"

namespace vigil::cli {
namespace {

using nlohmann::json;

const std::set<std::string>& DeviceTypes() {
  static const std::set<std::string> kTypes = {"wearable", "pulse-oximeter", "bp-cuff",
                                               "cgm",      "thermometer",    "infusion-pump",
                                               "scale",    "bedside-monitor"};
  return kTypes;
}

Status CheckId(const std::string& id, const char* what) {
  if (!model::IsValidEntityId(id)) {
    return Status::InvalidArgument(std::string(what) +
                                   " id must be 1-40 of A-Z a-z 0-9 . - (starting alphanumeric)");
  }
  return Status::Ok();
}

Status WriteEnrolmentFiles(const DeviceEnrollOptions& o, const std::string& dir,
                           const std::string& key_pem, const std::string& cert_pem,
                           const std::string& ca_pem) {
  if (!PathExists(dir)) VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  if (!key_pem.empty())
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + o.id + ".key", key_pem, 0600));
  VIGIL_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/" + o.id + ".crt", cert_pem, 0644, Overwrite::kReplace));
  return WriteFileAtomic(dir + "/ca.crt", ca_pem, 0644, Overwrite::kReplace);
}

}  // namespace

Status RunPatientAdd(const PatientAddOptions& o) {
  VIGIL_RETURN_IF_ERROR(CheckId(o.id, "patient"));
  if (o.name.empty()) return Status::InvalidArgument("--name is required");
  VIGIL_ASSIGN_OR_RETURN(std::string birth_date, CanonicalDate(o.birth_date));
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(o.data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto existing, hub.store->FindPatient(o.id));
  if (existing) return Status::AlreadyExists("patient " + o.id + " exists");
  VIGIL_ASSIGN_OR_RETURN(auto key, hub.keys->MakeDataKey(o.id));
  const json demographics = {{"name", o.name}, {"birthDate", birth_date}};
  VIGIL_ASSIGN_OR_RETURN(std::string sealed,
                         store::SealDemographics(key.key, o.id, demographics.dump()));
  crypto::Wipe(key.key);
  VIGIL_RETURN_IF_ERROR(hub.store->InsertPatient(
      {o.id, std::move(sealed), SystemClock::Instance().NowMillis()}, key.wrapped));
  std::cout << "Added patient " << o.id << " (demographics sealed under the patient's data key)\n";
  return Status::Ok();
}

Status RunPatientList(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto patients, hub.store->ListPatients());
  for (const auto& p : patients) {
    std::string name = "(unreadable: data key missing)";
    if (auto key = hub.keys->DataKey(p.id); key.ok()) {
      if (auto plain = store::OpenDemographics(*key, p.id, p.sealed_demographics); plain.ok()) {
        const json d = json::parse(*plain);
        name = d["name"].get<std::string>() + ", born " + d["birthDate"].get<std::string>();
      }
    }
    std::cout << p.id << "\t" << name << "\n";
  }
  return Status::Ok();
}

Status RunDeviceEnroll(const DeviceEnrollOptions& o) {
  VIGIL_RETURN_IF_ERROR(CheckId(o.id, "device"));
  if (!DeviceTypes().count(o.type)) {
    std::string types;
    for (const auto& t : DeviceTypes()) types += (types.empty() ? "" : ", ") + t;
    return Status::InvalidArgument("--type must be one of: " + types);
  }
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(o.data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto patient, hub.store->FindPatient(o.patient_id));
  if (!patient) return Status::NotFound("no patient " + o.patient_id + " (add it first)");
  VIGIL_ASSIGN_OR_RETURN(auto existing, hub.store->FindDevice(o.id));
  if (existing) return Status::AlreadyExists("device " + o.id + " is already enrolled");
  VIGIL_ASSIGN_OR_RETURN(auto ca, LoadDeviceCa(hub.layout));

  std::string key_pem, cert_pem;
  if (!o.csr_path.empty()) {
    VIGIL_ASSIGN_OR_RETURN(std::string csr, ReadFile(o.csr_path));
    VIGIL_ASSIGN_OR_RETURN(cert_pem, crypto::IssueDeviceCertificateForCsr(ca, o.id, csr, o.days));
  } else {
    VIGIL_ASSIGN_OR_RETURN(key_pem, crypto::GeneratePrivateKeyPem());
    VIGIL_ASSIGN_OR_RETURN(cert_pem,
                           crypto::IssueDeviceCertificateForKey(ca, o.id, key_pem, o.days));
  }
  VIGIL_ASSIGN_OR_RETURN(auto info, crypto::InspectCertificatePem(cert_pem));
  store::DeviceRecord device;
  device.id = o.id;
  device.patient_id = o.patient_id;
  device.type = o.type;
  device.cert_serial = info.serial_hex;
  device.cert_fingerprint = info.sha256_fingerprint;
  device.enrolled_ms = SystemClock::Instance().NowMillis();
  VIGIL_RETURN_IF_ERROR(hub.store->InsertDevice(device));
  const std::string dir = o.out_dir.empty() ? "./" + o.id : o.out_dir;
  VIGIL_RETURN_IF_ERROR(WriteEnrolmentFiles(o, dir, key_pem, cert_pem, ca.cert_pem));
  std::cout << "Enrolled device " << o.id << " (" << o.type << ") for patient " << o.patient_id
            << "\n  certificate " << dir << "/" << o.id << ".crt (serial " << info.serial_hex
            << ")\n"
            << (key_pem.empty() ? "  key         stays on the device (signed its CSR)\n"
                                : "  key         " + dir + "/" + o.id + ".key (0600)\n")
            << "  hub CA      " << dir << "/ca.crt\n"
            << "  publish to  devices/" << o.id << "/vitals with client id " << o.id << "\n";
  return Status::Ok();
}

Status RunDeviceRevoke(const std::string& data_dir, const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(hub.store->SetDeviceStatus(id, store::DeviceStatus::kRevoked));
  std::cout << "Revoked device " << id
            << ": new connections are refused; a running hub drops a live one within a second\n";
  return Status::Ok();
}

Status RunDeviceList(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto devices, hub.store->ListDevices());
  std::cout << "id\tpatient\ttype\tstatus\tlast_seq\tenrolled\n";
  for (const auto& d : devices) {
    std::cout << d.id << "\t" << d.patient_id << "\t" << d.type << "\t"
              << (d.status == store::DeviceStatus::kActive ? "active" : "revoked") << "\t"
              << d.last_seq << "\t" << FormatRfc3339Millis(d.enrolled_ms) << "\n";
  }
  return Status::Ok();
}

Status RunObservations(const std::string& data_dir, const std::string& patient_id,
                       const std::string& code) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto patient, hub.store->FindPatient(patient_id));
  if (!patient) return Status::NotFound("no patient " + patient_id);
  VIGIL_ASSIGN_OR_RETURN(std::string key, hub.keys->DataKey(patient_id));
  VIGIL_ASSIGN_OR_RETURN(auto rows, hub.store->ListObservations(patient_id));
  json entries = json::array();
  for (const auto& row : rows) {
    if (!code.empty() && row.code != code) continue;
    auto plain = store::OpenObservation(key, row);
    if (!plain.ok()) {
      return Status::DataLoss("Observation " + row.id + " failed to open: the row was altered");
    }
    entries.push_back({{"fullUrl", "Observation/" + row.id},
                       {"resource", json::parse(*plain)},
                       {"search", {{"mode", "match"}}}});
  }
  const json bundle = {{"resourceType", "Bundle"},
                       {"type", "searchset"},
                       {"total", entries.size()},
                       {"entry", entries}};
  std::cout << bundle.dump(2) << "\n";
  return Status::Ok();
}

}  // namespace vigil::cli
