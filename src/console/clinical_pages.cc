// Clinicians' and nurses' pages: the patients of their care teams, and a patient's chart. A
// patient outside the care team is opened only through break-glass, with a reason, which the
// ledger records and security reviews.
#include <nlohmann/json.hpp>

#include "console/console_http.h"
#include "console/pages.h"
#include "console/vitals_view.h"
#include "store/sealed_record.h"

namespace vigil::console {
namespace {

constexpr int kChartHours = 24;

// The patient's name from their sealed demographics ("" when it cannot be opened).
std::string PatientName(api::RouteContext& context, const std::string& patient_id) {
  auto patient = context.deps.store.FindPatient(patient_id);
  if (!patient.ok() || !*patient) return {};
  auto key = context.deps.keys.DataKey(patient_id);
  if (!key.ok()) return {};
  auto demographics = store::OpenDemographics(*key, patient_id, (*patient)->sealed_demographics);
  if (!demographics.ok()) return {};
  const auto d = nlohmann::json::parse(*demographics, nullptr, false);
  return d.is_object() && d.contains("name") && d["name"].is_string() ? d["name"].get<std::string>()
                                                                      : std::string();
}

bool Caregiver(access::Role role) {
  return role == access::Role::kClinician || role == access::Role::kNurse;
}

}  // namespace

api::HttpReply MyPatients(const PageContext& page) {
  if (!Caregiver(page.session.who.role)) {
    return ErrorPage(page, 403, "Patient lists are for clinicians and nurses.");
  }
  auto patients = page.context.deps.store.access().PatientsCaredForBy(page.session.who.username);
  if (!patients.ok()) return ErrorPage(page, 503, "Your patients could not be read.");
  Html body;
  body << "<p>The patients of your care teams. To open another patient's chart in an "
          "emergency, go to <code>/console/patients/&lt;id&gt;</code>: you will be asked for a "
          "reason (break-glass), which security reviews.</p>"
          "<table><thead><tr><th scope=\"col\">Patient</th><th scope=\"col\">Name</th></tr>"
          "</thead><tbody>";
  for (const auto& id : *patients) {
    // Each name shown is a read of the patient, decided and recorded like the API's.
    auto decision = page.context.Authorize(page.request, page.session, access::Action::kReadPatient,
                                           id, "console:patient");
    if (!decision.ok() && decision.status().code() == StatusCode::kGone) continue;
    if (!decision.ok()) return UndecidedPage(page, decision.status());
    if (!decision->allowed()) continue;
    body << "<tr><td><a href=\"/console/patients/";
    body.UrlPart(id);
    body << "\">";
    body.Text(id);
    body << "</a></td><td>";
    body.Text(PatientName(page.context, id));
    body << "</td></tr>";
  }
  body << "</tbody></table>";
  if (patients->empty()) body << "<p>You are on no care team yet.</p>";
  return page.Page("My patients", body);
}

api::HttpReply ChartPage(const PageContext& page, const std::string& patient_id,
                         const std::string& break_glass_reason) {
  if (!Caregiver(page.session.who.role)) {
    return ErrorPage(page, 403, "Charts are for clinicians and nurses.");
  }
  auto found = page.context.deps.store.FindPatient(patient_id);
  if (!found.ok()) return ErrorPage(page, 503, "The patient could not be read.");
  api::ApiRequest request = page.request;
  request.break_glass_reason = break_glass_reason;
  auto decision = page.context.Authorize(request, page.session, access::Action::kReadObservations,
                                         patient_id, "console:chart");
  if (!decision.ok()) return UndecidedPage(page, decision.status());
  if (!*found) return ErrorPage(page, 404, "There is no such patient.");
  if (!decision->allowed()) {
    Html body;
    body << "<p class=\"error\" role=\"alert\">This patient is not on your care teams, so their "
            "chart is closed to you.</p><p>In an emergency you may open it anyway (break-glass). "
            "Say why: your reason, your name and the time go into the audit ledger, the "
            "security officer reviews every use, and the patient sees the access.</p>"
            "<form class=\"stack\" method=\"post\" action=\"/console/patients/";
    body.UrlPart(patient_id);
    body << "\">" << CsrfField(page.viewer)
         << "<label for=\"reason\">Reason for emergency access</label>"
            "<textarea id=\"reason\" name=\"reason\" rows=\"2\" required></textarea>"
            "<p><button type=\"submit\">Open the chart (break-glass)</button></p></form>";
    return page.Page("Chart closed", body, 403);
  }
  auto vitals = VitalsView(page.context, request, page.session, patient_id, kChartHours);
  if (!vitals.ok()) return ErrorPage(page, 503, "The readings could not be read.");
  Html body;
  if (decision->outcome == access::Outcome::kBreakGlass) {
    body << "<p class=\"notice\">Opened through break-glass: this access is recorded and will "
            "be reviewed.</p>";
  }
  body << "<p>Patient ";
  body.Text(patient_id);
  const std::string name = PatientName(page.context, patient_id);
  if (!name.empty()) body.Text(" · ").Text(name);
  body << "</p>" << *vitals;
  return page.Page("Chart", body);
}

}  // namespace vigil::console
