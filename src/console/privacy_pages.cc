// The privacy officer's page: patients by id (never a name), each one's legal hold and
// restriction of processing with who set it and why, or when it was erased; forms to place and
// lift them, and to erase (the id typed again to confirm). Every change goes through
// privacy/patient_privacy, as the API's and the CLI's do, and is recorded.
#include "console/pages.h"
#include "privacy/patient_privacy.h"

namespace vigil::console {
namespace {

constexpr size_t kShown = 100;  // patients a page; a search narrows them

privacy::PrivacyParts PartsOf(const PageContext& page) {
  return {page.context.deps.store, page.context.deps.keys, page.context.deps.audit,
          page.session.who.username};
}

bool MayManage(const PageContext& page, const std::string& patient, const std::string& resource) {
  return page.context
      .Require(page.request, page.session, access::Action::kManagePrivacy, patient, resource)
      .ok();
}

// The patient's flags and the forms that set or lift them.
Html FlagCells(const PageContext& page, const std::string& id,
               const std::vector<store::PatientFlagRecord>& flags) {
  const store::PatientFlagRecord* hold = nullptr;
  const store::PatientFlagRecord* restriction = nullptr;
  for (const auto& f : flags) {
    (f.flag == store::PatientFlag::kLegalHold ? hold : restriction) = &f;
  }
  Html h;
  for (const auto* f : {hold, restriction}) {
    h << "<td>";
    if (f) {
      h.Text(f->reason + " (" + f->by + ", ");
      h.Time(f->since_ms).Text(") ");
    }
    h << "</td>";
  }
  h << "<td>"
    << (hold ? InlineReasonForm(page, "/console/privacy-requests/", id, "/legal-hold/lift",
                                "Lift hold")
             : InlineReasonForm(page, "/console/privacy-requests/", id, "/legal-hold", "Hold"))
    << (restriction
            ? InlineReasonForm(page, "/console/privacy-requests/", id, "/restriction/lift",
                               "Lift restriction")
            : InlineReasonForm(page, "/console/privacy-requests/", id, "/restriction", "Restrict"));
  h << "<form class=\"inline\" method=\"post\" action=\"/console/privacy-requests/";
  h.UrlPart(id);
  h << "/erase\">" << CsrfField(page.viewer) << "<label class=\"visually-hidden\" for=\"";
  h.UrlPart(id).Text("-erase-reason");
  h << "\">Erase: why</label><input id=\"";
  h.UrlPart(id).Text("-erase-reason");
  h << "\" name=\"reason\" required placeholder=\"request reference\"> "
       "<label class=\"visually-hidden\" for=\"";
  h.UrlPart(id).Text("-erase-confirm");
  h << "\">Type the patient id to confirm</label><input id=\"";
  h.UrlPart(id).Text("-erase-confirm");
  h << "\" name=\"confirm\" required placeholder=\"type the id\"> "
       "<button type=\"submit\">Erase</button></form></td>";
  return h;
}

}  // namespace

api::HttpReply PrivacyRequestsPage(const PageContext& page) {
  if (!MayManage(page, "", "console:privacy-requests")) {
    return ErrorPage(page, 403, "Privacy requests are the privacy officer's.");
  }
  store::Store& store = page.context.deps.store;
  auto patients = store.ListPatients();
  auto erasures = store.privacy().ErasuresAfter(0);
  if (!patients.ok() || !erasures.ok())
    return ErrorPage(page, 503, "The patients could not be read.");
  std::map<std::string, const store::ErasureRecord*> erased;
  for (const auto& e : *erasures) erased[e.patient_id] = &e;
  const std::string q = page.request.Param("q").value_or("");
  Html body;
  body << "<p>Each request is recorded in the audit ledger with its reason: give the request's "
          "reference, not the person's name. A legal hold refuses erasure; a restriction stops "
          "every read but the patient's and yours. Erasure destroys the patient's data key: it "
          "cannot be undone.</p><form class=\"inline\" method=\"get\" "
          "action=\"/console/privacy-requests\"><label for=\"q\">Patient id</label>"
          "<input id=\"q\" name=\"q\" value=\"";
  body.Text(q);
  body << "\"> <button type=\"submit\">Search</button></form><table><thead><tr>"
          "<th scope=\"col\">Patient</th><th scope=\"col\">Legal hold</th>"
          "<th scope=\"col\">Restriction</th><th scope=\"col\">Requests</th></tr></thead><tbody>";
  size_t shown = 0, matching = 0;
  for (const auto& p : *patients) {
    if (!q.empty() && p.id.find(q) == std::string::npos) continue;
    if (++matching > kShown) continue;
    ++shown;
    body << "<tr>";
    body.Cell(p.id);
    if (auto e = erased.find(p.id); e != erased.end()) {
      body << "<td colspan=\"3\">Erased ";
      body.Time(e->second->erased_ms).Text(" by " + e->second->by);
      body << "</td></tr>";
      continue;
    }
    auto flags = store.privacy().Flags(p.id);
    if (!flags.ok()) return ErrorPage(page, 503, "The patients could not be read.");
    body << FlagCells(page, p.id, *flags) << "</tr>";
  }
  body << "</tbody></table>";
  if (matching > shown) {
    body << "<p>";
    body.Int(static_cast<int64_t>(shown)).Text(" of ").Int(static_cast<int64_t>(matching));
    body << " shown: search by id.</p>";
  }
  return page.Page("Privacy requests", body);
}

api::HttpReply SubmitPrivacyRequest(const PageContext& page, const std::string& patient_id,
                                    std::string_view verb) {
  if (!MayManage(page, patient_id, "console:privacy/" + std::string(verb))) {
    return ErrorPage(page, 403, "Privacy requests are the privacy officer's.");
  }
  const std::string reason = FormValue(page.form, "reason");
  if (verb == "erase") {
    if (FormValue(page.form, "confirm") != patient_id) {
      return ErrorPage(page, 400,
                       "Type the patient's id again to confirm an erasure. Nothing was changed.");
    }
    auto erased = privacy::ErasePatient(PartsOf(page), patient_id, reason);
    if (!erased.ok()) return ChangeRefused(page, erased.status(), "The patient was not erased");
    return Redirect("/console/privacy-requests?q=" + patient_id);
  }
  const bool hold = verb == "legal-hold" || verb == "legal-hold/lift";
  if (!hold && verb != "restriction" && verb != "restriction/lift") {
    return ErrorPage(page, 404, "No such request.");
  }
  const Status changed = privacy::ChangePatientFlag(
      PartsOf(page), patient_id,
      hold ? store::PatientFlag::kLegalHold : store::PatientFlag::kRestricted,
      !verb.ends_with("/lift"), reason);
  if (!changed.ok()) return ChangeRefused(page, changed, "The request was not recorded");
  return Redirect("/console/privacy-requests?q=" + patient_id);
}

}  // namespace vigil::console
