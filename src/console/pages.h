// The console's pages, by audience. Each page that reads patients' data authorizes the reader
// through api::RouteContext first (decided and recorded in the ledger), as the FHIR API does.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "admin/hub_admin.h"
#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"
#include "console/console_http.h"
#include "console/console_service.h"
#include "console/layout.h"

namespace vigil::console {

// A signed-in request, with what its page needs.
struct PageContext {
  const api::ApiRequest& request;
  const Form& form;  // a POST's fields, parsed once (and its CSRF token checked); empty for a GET
  const api::Session& session;
  const Viewer& viewer;
  api::RouteContext& context;
  const HubView& hub;
  int64_t idle_logout_s;
  // The page, framed for the viewer.
  api::HttpReply Page(std::string_view title, const Html& body, int status = 200) const {
    return PageReply(viewer, title, body, status, idle_logout_s);
  }
};

// The hub's parts for an administrative change the signed-in user makes (admin/hub_admin.h).
admin::AdminParts AdminPartsOf(const PageContext& page);

// A one-line form in a table row posting a required reason to `prefix` + entity + `verb` (a
// containment lifted: /console/users/{u}/unlock, /console/devices/{d}/release).
Html InlineReasonForm(const PageContext& page, Literal prefix, const std::string& entity,
                      Literal verb, Literal button);

// The signed-in patient's own id once `action` on their record is decided and recorded
// (`resource` names the page in the ledger); otherwise the page saying why not (403 for anyone
// but a patient or a refusal, 503 if the decision could not be recorded).
using OwnRecord = std::variant<std::string, api::HttpReply>;
OwnRecord AuthorizeOwnRecord(const PageContext& page, access::Action action,
                             const std::string& resource);

// A short page that says what went wrong, in words a person understands.
api::HttpReply ErrorPage(const PageContext& page, int status, std::string_view message);
// An error from an administrative change, said as a page ending "Nothing was changed.": 400
// for what the form got wrong, 404 for an unknown subject, else 503.
api::HttpReply ChangeRefused(const PageContext& page, const Status& s, std::string_view what);
// The page for a request the RouteContext could not decide: 410 saying when the patient was
// erased, else 503 (the decision could not be recorded).
api::HttpReply UndecidedPage(const PageContext& page, const Status& status);

// Signing in and out (login_pages.cc): no session needed, except for the password change and
// sign-out.
api::HttpReply LoginPage(std::string_view message, int status = 200);
api::HttpReply SubmitLogin(api::RouteContext& context, const api::ApiRequest& request);
api::HttpReply MfaPage(std::string_view message, int status = 200);
api::HttpReply SubmitMfa(api::RouteContext& context, const api::ApiRequest& request);
api::HttpReply PasswordPage(const PageContext& page, std::string_view message, int status = 200);
api::HttpReply SubmitPassword(const PageContext& page);
api::HttpReply SubmitLogout(const PageContext& page);

// The security officer (security_pages.cc): the dashboard, alerts, containment undo.
api::HttpReply Dashboard(const PageContext& page);
api::HttpReply AlertsPage(const PageContext& page);
api::HttpReply AlertPage(const PageContext& page, int64_t id);
api::HttpReply SubmitAlertAction(const PageContext& page, int64_t id, std::string_view action);
// Lifts a containment with the reason posted: `what` "release" (a device), "unlock" (an
// account) or "unblock" (an address); recorded in the ledger with who and why.
api::HttpReply SubmitUndo(const PageContext& page, std::string_view what,
                          const std::string& entity);

// The security officer's incidents (incident_pages.cc): list, timeline, close with a reason, the
// breach report on the page or downloaded (`format` "md" or "json"; "" for the page).
api::HttpReply IncidentsPage(const PageContext& page);
api::HttpReply IncidentPage(const PageContext& page, int64_t id);
api::HttpReply IncidentReport(const PageContext& page, int64_t id, std::string_view format);
api::HttpReply SubmitIncidentClose(const PageContext& page, int64_t id);

// The break-glass review queue (review_pages.cc): open items with the reason given, each judged
// justified or not with a note (recorded), and those reviewed.
api::HttpReply ReviewsPage(const PageContext& page);
api::HttpReply SubmitReview(const PageContext& page, int64_t id);

// The administrator's pages (admin_pages.cc): users (add, with the one-time password and TOTP QR
// shown once; sign out everywhere), patients (add) and care teams (add, remove a member).
api::HttpReply UsersPage(const PageContext& page);
api::HttpReply SubmitAddUser(const PageContext& page);
api::HttpReply SubmitRevokeSessions(const PageContext& page, const std::string& username);
api::HttpReply PatientsAdminPage(const PageContext& page);
api::HttpReply SubmitAddPatient(const PageContext& page);
api::HttpReply SubmitCareTeamChange(const PageContext& page);

// The privacy officer's page (privacy_pages.cc): each patient's legal hold, restriction and
// erasure, placed, lifted or made with a reason (erasure confirmed by typing the id again).
api::HttpReply PrivacyRequestsPage(const PageContext& page);
api::HttpReply SubmitPrivacyRequest(const PageContext& page, const std::string& patient_id,
                                    std::string_view verb);

// The device administrator's page (device_pages.cc): devices, enrolment from a CSR, revocation.
api::HttpReply DevicesPage(const PageContext& page);
api::HttpReply SubmitEnrolDevice(const PageContext& page);
api::HttpReply SubmitRevokeDevice(const PageContext& page, const std::string& device_id);

// The dashboard's sections on the hub's health (dashboard_sections.cc): devices silent for an
// hour and certificates ending within 30 days (of those neither revoked nor quarantined), this
// hub's ingest over the last hour, the ledger's latest checkpoint and last verification.
Html Tile(std::string_view label, int64_t n);  // a number with its label, on the dashboard
Html DeviceHealthSection(const std::vector<store::DeviceRecord>& devices,
                         const std::vector<store::DeviceActivity>& activity, int64_t now_ms);
Html IngestSection(const std::vector<ingest::IngestSample>& samples);
Html LedgerSection(store::Store& store);

// The audit ledger viewer (audit_pages.cc): newest first, filtered by type, user, patient,
// device and time.
api::HttpReply AuditPage(const PageContext& page);

// Clinicians and nurses (clinical_pages.cc): their care teams' patients and a patient's chart;
// outside the care team only with break-glass and a reason.
api::HttpReply MyPatients(const PageContext& page);
api::HttpReply ChartPage(const PageContext& page, const std::string& patient_id,
                         const std::string& break_glass_reason);

// Patients (patient_pages.cc): their own vitals, who read their data, and the plain-language
// privacy and security page (shown to everyone).
api::HttpReply MyVitals(const PageContext& page);
api::HttpReply ReadersPage(const PageContext& page);
// The patient's consent in plain language and the form that changes it (consent_pages.cc).
api::HttpReply ConsentPage(const PageContext& page);
api::HttpReply SubmitConsent(const PageContext& page);
api::HttpReply PrivacyPage(const std::optional<Viewer>& viewer, int64_t idle_logout_s);

}  // namespace vigil::console
