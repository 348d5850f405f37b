#include "respond/breach_report.h"

#include <algorithm>
#include <map>

#include "events/alert_kind.h"
#include "events/audit_records.h"
#include "ledger/ledger_scan.h"

namespace vigil::respond {
namespace {

constexpr size_t kMaxListed = 20;  // resources and ledger indices listed per patient

std::string After(const std::string& entity, std::string_view prefix) {
  return entity.rfind(prefix, 0) == 0 ? entity.substr(prefix.size()) : std::string();
}

struct Collector {
  std::map<std::string, AffectedPatient> patients;
  std::set<std::string> parties;
  bool demographics = false;
  bool vitals = false;

  AffectedPatient& Patient(const std::string& id, int64_t time_ms) {
    AffectedPatient& p = patients[id];
    if (p.patient_id.empty()) {
      p.patient_id = id;
      p.first_ms = p.last_ms = time_ms;
    }
    p.first_ms = std::min(p.first_ms, time_ms);
    p.last_ms = std::max(p.last_ms, time_ms);
    return p;
  }

  // An allowed read of `patient` by `user` of `resource`.
  void Read(const ledger::ScannedEntry& scanned, const std::string& patient,
            const std::string& user, const std::string& resource) {
    const std::string party = "user:" + user;
    AffectedPatient& p = Patient(patient, scanned.entry.time_ms);
    ++p.reads;
    p.by.insert(party);
    parties.insert(party);
    if (p.resources.size() < kMaxListed) p.resources.insert(resource);
    if (p.ledger_indices.size() < kMaxListed) p.ledger_indices.push_back(scanned.index);
    if (resource.rfind("Patient", 0) == 0) demographics = true;
    if (resource.rfind("Observation", 0) == 0) vitals = true;
  }
};

// Whether reads a user made through their own care teams are part of the incident: when the
// account may have been someone else's (a stolen password or token, guessed credentials) or the
// volume itself is the offence (bulk collection). Otherwise they are the user's job: a nurse
// browsing outside her ward has not breached her own ward's records.
bool CareTeamReadsInQuestion(const std::vector<store::AlertRecord>& alerts) {
  using K = events::AlertKind;
  for (const auto& a : alerts) {
    const auto kind = events::ParseAlertKind(a.kind);
    if (!kind) continue;
    for (K in_question :
         {K::kBulkReads, K::kUserBehaviour, K::kSessionNewAddress, K::kPasswordFromNewAddress,
          K::kBruteForce, K::kCredentialStuffing, K::kMfaFailures}) {
      if (*kind == in_question) return true;
    }
  }
  return false;
}

}  // namespace

Result<BreachReport> BuildBreachReport(store::Store& store, int64_t incident_id, int64_t now_ms,
                                       int64_t lookback_ms) {
  store::AlertStore& alerts = store.alerts();
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::IncidentRecord> incident,
                         alerts.FindIncident(incident_id));
  if (!incident) return Status::NotFound("no incident " + std::to_string(incident_id));
  BreachReport report;
  report.incident = *incident;
  VIGIL_ASSIGN_OR_RETURN(report.alerts, alerts.AlertsOfIncident(incident_id));
  VIGIL_ASSIGN_OR_RETURN(report.timeline, alerts.IncidentEvents(incident_id));
  int64_t last_alert = incident->last_ms;
  for (const auto& a : report.alerts) last_alert = std::max(last_alert, a.last_ms);
  report.from_ms = incident->first_ms - lookback_ms;
  report.to_ms = incident->status == "open" ? now_ms : last_alert;
  report.discovered_ms = incident->first_ms;
  report.generated_ms = now_ms;

  // The people whose reads are in question are the incident's users; an address (shared by a
  // ward behind a NAT) attributes no read to anyone and is not a person.
  std::set<std::string> users, devices;
  for (const auto& entity : incident->entities) {
    if (auto u = After(entity, "user:"); !u.empty()) users.insert(u);
    if (auto d = After(entity, "device:"); !d.empty()) devices.insert(d);
  }
  const bool care_team_reads_in_question = CareTeamReadsInQuestion(report.alerts);
  Collector c;
  std::set<std::string> from_addresses;
  VIGIL_RETURN_IF_ERROR(ledger::ScanLedgerByTime(
      store, report.from_ms, report.to_ms, [&](const ledger::ScannedEntry& scanned) {
        const auto access = events::As<events::audit::Access>(scanned.entry);
        if (!access || access->patient.empty() || !users.count(access->user)) return;
        if (access->decision != "allowed" && access->decision != "break-glass") {
          ++report.denied_reads;
          return;
        }
        if (access->basis == events::audit::kCareTeamBasis && !care_team_reads_in_question) {
          ++report.care_team_reads;  // the user's job: not a disclosure of the incident
          return;
        }
        c.Read(scanned, access->patient, access->user, access->resource);
        if (!access->address.empty()) from_addresses.insert(access->address);
      }));
  report.addresses.assign(from_addresses.begin(), from_addresses.end());
  for (const std::string& device_id : devices) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<store::DeviceRecord> device, store.FindDevice(device_id));
    c.parties.insert("device:" + device_id);
    if (!device) continue;
    store::ObservationQuery q;
    q.patient_id = device->patient_id;
    q.from_ms = report.from_ms;
    q.to_ms = report.to_ms;
    VIGIL_ASSIGN_OR_RETURN(uint64_t readings, store.CountObservations(q));
    AffectedPatient& p = c.Patient(device->patient_id, incident->first_ms);
    p.readings_at_risk += static_cast<int64_t>(readings);
    p.by.insert("device:" + device_id);
    c.vitals = true;
  }
  for (auto& [id, p] : c.patients) report.patients.push_back(std::move(p));
  if (c.demographics) report.phi_types.push_back("demographics (name, birth date)");
  if (c.vitals) report.phi_types.push_back("vital signs and device measurements");
  report.parties.assign(c.parties.begin(), c.parties.end());
  for (const auto& event : report.timeline) {
    if (event.what == "response") report.mitigation.push_back(event.detail);
  }
  report.mitigation.push_back("incident " + incident->status +
                              (incident->note.empty() ? "" : " (" + incident->note + ")"));
  return report;
}

}  // namespace vigil::respond
