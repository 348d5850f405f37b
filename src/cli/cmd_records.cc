// Patients, devices and reading them back: `vigil patient`, `vigil device`, `vigil observations`.
#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "admin/hub_admin.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/time_format.h"
#include "events/audit_records.h"
#include "model/observation.h"
#include "respond/device_holds.h"
#include "store/sealed_record.h"

namespace vigil::cli {

using admin::AdminHub;
using admin::OpenAdminHub;
using nlohmann::json;

Status RunPatientAdd(const PatientAddOptions& o) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(o.data_dir));
  VIGIL_RETURN_IF_ERROR(admin::AddPatient(hub, o.id, o.name, o.birth_date));
  std::cout << "Added patient " << o.id << " (demographics sealed under the patient's data key)\n";
  return Status::Ok();
}

Status RunPatientList(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto patients, hub.store->ListPatients());
  VIGIL_ASSIGN_OR_RETURN(auto erasures, hub.store->privacy().ErasuresAfter(0));
  std::map<std::string, int64_t> erased;
  for (const auto& e : erasures) erased[e.patient_id] = e.erased_ms;
  std::vector<std::string> ids;
  for (const auto& p : patients) {
    if (!erased.count(p.id)) ids.push_back(p.id);
  }
  VIGIL_RETURN_IF_ERROR(admin::RecordOperatorReads(hub, ids, "Patient/", "vigil patient list"));
  for (const auto& p : patients) {
    std::string name = "(unreadable: data key missing)";
    if (auto e = erased.find(p.id); e != erased.end()) {
      name = "(erased " + FormatRfc3339Millis(e->second).substr(0, 10) + ")";
    } else if (auto key = hub.keys->DataKey(p.id); key.ok()) {
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
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(o.data_dir));
  admin::DeviceEnrolment enrolment{o.id, o.patient_id, o.type, {}, o.days};
  if (!o.csr_path.empty()) {
    VIGIL_ASSIGN_OR_RETURN(enrolment.csr_pem, ReadFile(o.csr_path));
  }
  VIGIL_ASSIGN_OR_RETURN(auto device, admin::EnrolDevice(hub, enrolment));
  const std::string dir = o.out_dir.empty() ? "./" + o.id : o.out_dir;
  VIGIL_RETURN_IF_ERROR(admin::WriteDeviceCredentials(dir, o.id, device));
  std::cout << "Enrolled device " << o.id << " (" << o.type << ") for patient " << o.patient_id
            << "\n  certificate " << dir << "/" << o.id << ".crt (serial " << device.info.serial_hex
            << ")\n"
            << (device.key_pem.empty() ? "  key         stays on the device (signed its CSR)\n"
                                       : "  key         " + dir + "/" + o.id + ".key (0600)\n")
            << "  hub CA      " << dir << "/ca.crt\n"
            << "  publish to  devices/" << o.id << "/vitals with client id " << o.id << "\n";
  return Status::Ok();
}

Status RunDeviceRevoke(const std::string& data_dir, const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(admin::RevokeDevice(hub, id));
  std::cout << "Revoked device " << id
            << ": new connections are refused; a running hub drops a live one within a second\n";
  return Status::Ok();
}

Status RunDeviceRelease(const std::string& data_dir, const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(respond::ReleaseDevice(
      *hub.store, *hub.audit, id, admin::OperatorIdentity(), SystemClock::Instance().NowMillis()));
  std::cout << "Released device " << id
            << " from its hold: it may connect and send again (the care team's notice ends)\n";
  return Status::Ok();
}

Status RunDeviceList(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto devices, hub.store->ListDevices());
  std::cout << "id\tpatient\ttype\tstatus\tlast_seq\tenrolled\n";
  for (const auto& d : devices) {
    std::cout << d.id << "\t" << d.patient_id << "\t" << d.type << "\t"
              << (d.status != store::DeviceStatus::kActive ? "revoked"
                  : d.quarantined                          ? "quarantined"
                  : d.vitals_only                          ? "vitals-only"
                                                           : "active")
              << "\t" << d.last_seq << "\t" << FormatRfc3339Millis(d.enrolled_ms) << "\n";
  }
  return Status::Ok();
}

Status RunObservations(const std::string& data_dir, const std::string& patient_id,
                       const std::string& code) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto patient, hub.store->FindPatient(patient_id));
  if (!patient) return Status::NotFound("no patient " + patient_id);
  VIGIL_RETURN_IF_ERROR(store::RefuseErased(hub.store->privacy(), patient_id));
  VIGIL_ASSIGN_OR_RETURN(std::string key, hub.keys->DataKey(patient_id));
  VIGIL_RETURN_IF_ERROR(
      admin::RecordOperatorReads(hub, {patient_id}, "Observation?patient=", "vigil observations"));
  // As the API reads `code`: LOINC, "http://loinc.org|" allowed, any coding matched.
  std::vector<std::string> codes;
  if (!code.empty()) {
    VIGIL_ASSIGN_OR_RETURN(codes, model::SearchedLoincCodes(code));
  }
  VIGIL_ASSIGN_OR_RETURN(auto rows, hub.store->ListObservations(patient_id));
  VIGIL_ASSIGN_OR_RETURN(const auto suspects, hub.store->SuspectReadings(patient_id));
  const std::string base =
      PublicBaseUrl(hub.config.serve.public_url, hub.config.serve.https_port) + "/fhir/";
  json entries = json::array();
  store::ObservationOpener opener(key);  // the patient's key expanded once
  model::Observation observation;
  for (const auto& row : rows) {
    if (!codes.empty() && std::find(codes.begin(), codes.end(), row.code) == codes.end()) {
      continue;
    }
    if (!opener.OpenInto(store::SealedObservationView(row), observation).ok()) {
      return Status::DataLoss("Observation " + row.id + " failed to open: the row was altered");
    }
    observation.suspect = store::FindSuspect(suspects, row.device_id, row.seq);
    entries.push_back({{"fullUrl", base + "Observation/" + row.id},
                       {"resource", json::parse(model::ToFhirJson(observation))},
                       {"search", {{"mode", "match"}}}});
  }
  // FHIR JSON has no empty arrays: a search that matched nothing has no "entry".
  json bundle = {{"resourceType", "Bundle"}, {"type", "searchset"}, {"total", entries.size()}};
  if (!entries.empty()) bundle["entry"] = std::move(entries);
  std::cout << bundle.dump(2) << "\n";
  return Status::Ok();
}

}  // namespace vigil::cli
