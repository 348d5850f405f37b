// Breach reports: for an incident, who was affected and what the law asks next.
// Affected patients come from the access records in the ledger (every allowed or break-glass read
// by a user the incident names during the incident; reads through the user's own care teams only
// when the incident puts the account or the volume in question) and from the devices it names
// (their patients' readings in the period may be forged or exposed). Addresses attribute no read
// and are never listed as persons. The report
// carries the incident's timeline, the four factors of the HIPAA breach risk assessment
// (45 CFR 164.402(2)) as far as the records answer them, and the notification deadlines (HIPAA
// 164.404-408: 60 days from discovery; GDPR Art. 33: 72 hours to the supervisory authority).
// It names patients by id only, never their data.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/alert_store.h"
#include "store/store.h"

namespace vigil::respond {

struct AffectedPatient {
  std::string patient_id;
  int64_t reads = 0;                // allowed or break-glass reads of the patient's data
  int64_t readings_at_risk = 0;     // readings stored in the period by a device the incident names
  std::set<std::string> by;         // "user:..." or "device:..."
  std::set<std::string> resources;  // what was read (FHIR request targets), at most a few
  std::vector<uint64_t> ledger_indices;  // the access entries, at most a few
  int64_t first_ms = 0, last_ms = 0;
};

struct BreachReport {
  store::IncidentRecord incident;
  std::vector<store::AlertRecord> alerts;
  std::vector<store::IncidentEvent> timeline;
  int64_t from_ms = 0, to_ms = 0;  // the period searched
  std::vector<AffectedPatient> patients;
  int64_t denied_reads = 0;  // reads the policy refused: attempted, nothing disclosed
  // Reads by the incident's users through their own care teams, left out of the affected
  // patients (the user's job) unless the incident puts the account or the volume in question.
  int64_t care_team_reads = 0;
  std::vector<std::string> addresses;  // where the counted reads came from (not persons)
  std::vector<std::string> phi_types;
  std::vector<std::string> parties;     // who used or received the data (users, devices)
  std::vector<std::string> mitigation;  // containment actions taken and the incident's state
  int64_t discovered_ms = 0;
  int64_t generated_ms = 0;
};

// Builds the report for incident `incident_id`. The period runs from `lookback_ms` before the
// incident's first alert (the activity that led up to it) to its last alert, or to `now_ms`
// while it is open. NotFound for an unknown incident.
Result<BreachReport> BuildBreachReport(store::Store& store, int64_t incident_id, int64_t now_ms,
                                       int64_t lookback_ms = 3'600'000);

// The report as a JSON document (docs/detection.md describes its fields).
std::string BreachReportJson(const BreachReport& report);
// The report as Markdown for people.
std::string BreachReportMarkdown(const BreachReport& report);

}  // namespace vigil::respond
