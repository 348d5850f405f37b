// The administrator's pages: users (add one, shown its one-time password and the TOTP QR code
// once; revoke its sessions; unlock it), patients (add one) and care teams. No health data: a
// patient's name is typed in to add them and sealed at once, never shown here.
#include "access/qr_code.h"
#include "access/user_changes.h"
#include "admin/user_admin.h"
#include "console/pages.h"

namespace vigil::console {
namespace {

constexpr access::Role kRoles[] = {
    access::Role::kClinician,   access::Role::kNurse,           access::Role::kPatient,
    access::Role::kDeviceAdmin, access::Role::kSecurityOfficer, access::Role::kPrivacyOfficer,
    access::Role::kAdmin};

Status MayManage(const PageContext& page, access::Action action, const std::string& patient,
                 const std::string& resource) {
  return page.context.Require(page.request, page.session, action, patient, resource);
}

Html Field(Literal id, Literal label, Literal attributes) {
  Html h;
  h << "<label for=\"" << id << "\">" << label << "</label><input id=\"" << id << "\" name=\"" << id
    << "\" " << attributes << ">";
  return h;
}

Html QrCode(const std::string& text) {
  Html h;
  auto qr = access::QrCodeSvgPath(text);
  if (!qr.ok()) return h;
  h << "<svg class=\"qr\" role=\"img\" aria-label=\"QR code of the authenticator secret\" "
       "viewBox=\"0 0 ";
  h.Int(qr->size).Text(" ").Int(qr->size);
  h << "\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"";
  h.Text(qr->path);
  h << "\"/></svg>";
  return h;
}

// The opening of a form posting a care-team `change` ("add" or "remove") for `patient_id`.
Html CareTeamForm(const PageContext& page, const std::string& patient_id, Literal change) {
  Html h;
  h << "<form class=\"inline\" method=\"post\" action=\"/console/admin/careteam\">"
    << CsrfField(page.viewer) << "<input type=\"hidden\" name=\"patient\" value=\"";
  h.Text(patient_id);
  h << "\"><input type=\"hidden\" name=\"change\" value=\"" << change << "\">";
  return h;
}

}  // namespace

api::HttpReply UsersPage(const PageContext& page) {
  if (!MayManage(page, access::Action::kManageUsers, "", "console:users").ok()) {
    return ErrorPage(page, 403, "Users are managed by administrators.");
  }
  store::AccessStore& access_store = page.context.deps.store.access();
  auto users = access_store.ListUsers();
  if (!users.ok()) return ErrorPage(page, 503, "The users could not be read.");
  Html body;
  body
      << "<h2>Add a user</h2><form class=\"stack\" method=\"post\" action=\"/console/admin/users\">"
      << CsrfField(page.viewer)
      << Field("username", "Username (a-z, 0-9, '.', '_', '-')",
               "required maxlength=\"64\" autocomplete=\"off\"")
      << "<label for=\"role\">Role</label><select id=\"role\" name=\"role\">";
  for (access::Role role : kRoles) {
    body << "<option>";
    body.Text(access::RoleName(role));
    body << "</option>";
  }
  body << "</select>"
       << Field("patient", "Patient id (for a patient user only)", "maxlength=\"40\"")
       << "<p><button type=\"submit\">Add the user</button></p></form><h2>Users</h2>"
          "<table><thead><tr><th scope=\"col\">User</th><th scope=\"col\">Role</th>"
          "<th scope=\"col\">Patient</th><th scope=\"col\">Added</th><th scope=\"col\">Held</th>"
          "<th scope=\"col\">Actions</th></tr></thead><tbody>";
  for (const auto& u : *users) {
    auto hold = access_store.AccountHold(u.username);
    body << "<tr>";
    body.Cell(u.username).Cell(u.role).Cell(u.patient_id) << "<td>";
    body.Time(u.created_ms) << "</td>";
    body.Cell(hold.ok() && *hold ? **hold : "")
        << "<td><form class=\"inline\" method=\"post\" action=\"/console/admin/users/";
    body.UrlPart(u.username);
    body << "/revoke-sessions\">" << CsrfField(page.viewer)
         << "<button type=\"submit\">Sign out everywhere</button></form> "
         << InlineReasonForm(page, "/console/users/", u.username, "/unlock", "Unlock")
         << "</td></tr>";
  }
  body << "</tbody></table>";
  return page.Page("Users", body);
}

api::HttpReply SubmitAddUser(const PageContext& page) {
  const std::string username = FormValue(page.form, "username");
  if (!MayManage(page, access::Action::kManageUsers, "", "user/" + username).ok()) {
    return ErrorPage(page, 403, "Users are managed by administrators.");
  }
  const auto role = access::ParseRole(FormValue(page.form, "role"));
  if (!role) return ErrorPage(page, 400, "Choose one of the roles listed. Nothing was changed.");
  auto added =
      admin::AddUser(AdminPartsOf(page), {username, *role, FormValue(page.form, "patient")});
  if (!added.ok()) return ChangeRefused(page, added.status(), "The user was not added");
  Html body;
  body << "<p class=\"notice\" role=\"status\">";
  body.Text(username);
  body << " was added. Give them what follows in person or through a channel only they read: "
          "it is shown this once and stored nowhere in the clear.</p><dl class=\"evidence\">"
          "<dt>One-time password</dt><dd><code>";
  body.Text(added->initial_password);
  body << "</code> (changed at the first sign-in)</dd><dt>Authenticator secret</dt><dd><code>";
  body.Text(added->totp_secret_base32);
  body << "</code></dd></dl><p>Scan this with an authenticator app (it holds the same secret):"
          "</p>"
       << QrCode(added->otpauth_uri)
       << "<p><a href=\"/console/admin/users\">Back to the users</a></p>";
  return page.Page("User added", body);
}

api::HttpReply SubmitRevokeSessions(const PageContext& page, const std::string& username) {
  if (!MayManage(page, access::Action::kManageUsers, "", "user/" + username).ok()) {
    return ErrorPage(page, 403, "Users are managed by administrators.");
  }
  auto count = access::RevokeSessions(page.context.deps.store.access(), page.context.deps.audit,
                                      page.context.deps.clock.NowMillis(), username,
                                      page.session.who.username);
  if (!count.ok()) return ChangeRefused(page, count.status(), "The sessions were not ended");
  return Redirect("/console/admin/users");
}

api::HttpReply PatientsAdminPage(const PageContext& page) {
  if (!MayManage(page, access::Action::kManagePatients, "", "console:patients").ok()) {
    return ErrorPage(page, 403, "Patients are added by administrators.");
  }
  store::Store& store = page.context.deps.store;
  auto patients = store.ListPatients();
  if (!patients.ok()) return ErrorPage(page, 503, "The patients could not be read.");
  Html body;
  body << "<h2>Add a patient</h2><p>The name and birth date are sealed under the patient's own "
          "key as soon as they are saved; this page never shows them.</p>"
          "<form class=\"stack\" method=\"post\" action=\"/console/admin/patients\">"
       << CsrfField(page.viewer)
       << Field("id", "Patient id (letters, digits, '.', '-')", "required maxlength=\"40\"")
       << Field("name", "Full name", "required autocomplete=\"off\"")
       << Field("birth_date", "Birth date", "required type=\"date\"")
       << "<p><button type=\"submit\">Add the patient</button></p></form>"
          "<h2>Care teams</h2><table><thead><tr><th scope=\"col\">Patient</th>"
          "<th scope=\"col\">Added</th><th scope=\"col\">Care team</th></tr></thead><tbody>";
  for (const auto& p : *patients) {
    auto team = store.access().CareTeam(p.id);
    body << "<tr>";
    body.Cell(p.id) << "<td>";
    body.Time(p.created_ms) << "</td><td><ul>";
    for (const auto& member : team.ok() ? *team : std::vector<std::string>{}) {
      body << "<li>";
      body.Text(member);
      body << " " << CareTeamForm(page, p.id, "remove")
           << "<input type=\"hidden\" name=\"user\" value=\"";
      body.Text(member);
      body << "\"><button type=\"submit\">Remove</button></form></li>";
    }
    body << "</ul>" << CareTeamForm(page, p.id, "add") << "<label for=\"ct-";
    body.Text(p.id);
    body << "\">Add to ";
    body.Text(p.id);
    body << "'s care team (username)</label> <input id=\"ct-";
    body.Text(p.id);
    body << "\" name=\"user\" required> <button type=\"submit\">Add</button></form></td></tr>";
  }
  body << "</tbody></table>";
  return page.Page("Patients and care teams", body);
}

api::HttpReply SubmitAddPatient(const PageContext& page) {
  const std::string id = FormValue(page.form, "id");
  if (!MayManage(page, access::Action::kManagePatients, "", "patient/" + id).ok()) {
    return ErrorPage(page, 403, "Patients are added by administrators.");
  }
  const Status added = admin::AddPatient(AdminPartsOf(page), id, FormValue(page.form, "name"),
                                         FormValue(page.form, "birth_date"));
  if (!added.ok()) return ChangeRefused(page, added, "The patient was not added");
  return Redirect("/console/admin/patients");
}

api::HttpReply SubmitCareTeamChange(const PageContext& page) {
  const std::string patient = FormValue(page.form, "patient"), user = FormValue(page.form, "user");
  const std::string change = FormValue(page.form, "change");
  if (!MayManage(page, access::Action::kManageCareTeam, patient, "care-team/" + user).ok()) {
    return ErrorPage(page, 403, "Care teams are managed by administrators.");
  }
  if (change != "add" && change != "remove") return ErrorPage(page, 400, "Add or remove.");
  store::AccessStore& store = page.context.deps.store.access();
  const int64_t now = page.context.deps.clock.NowMillis();
  const std::string& by = page.session.who.username;
  const Status changed =
      change == "add"
          ? access::AddToCareTeam(store, page.context.deps.audit, now, patient, user, by)
          : access::RemoveFromCareTeam(store, page.context.deps.audit, now, patient, user, by);
  if (!changed.ok()) return ChangeRefused(page, changed, "The care team was not changed");
  return Redirect("/console/admin/patients");
}

}  // namespace vigil::console
