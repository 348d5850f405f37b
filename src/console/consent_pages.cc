// The patient's consent in plain language: what each choice permits and whom it affects (their
// care team, by role; research, de-identified), and changing it. Saved and recorded as the FHIR
// API's PUT Consent is; choices the form does not offer (exceptions naming one person, made
// through the API) are shown and kept.
#include <map>

#include "access/consent_choices.h"
#include "access/user_changes.h"
#include "console/pages.h"

namespace vigil::console {
namespace {

// The patient's care team said by role: "2 clinicians and 1 nurse".
std::string CareTeamInWords(api::RouteContext& context, const std::string& patient_id) {
  auto team = context.deps.store.access().CareTeam(patient_id);
  if (!team.ok() || team->empty()) return "nobody yet";
  std::map<std::string, int> by_role;
  for (const auto& member : *team) {
    auto user = context.deps.store.access().FindUser(member);
    ++by_role[user.ok() && *user ? (*user)->role : "member"];
  }
  std::string out;
  for (const auto& [role, n] : by_role) {
    if (!out.empty()) out += " and ";
    out += std::to_string(n) + " " + role + (n == 1 ? "" : "s");
  }
  return out;
}

Html Choice(Literal name, bool yes, Literal question, Literal yes_means, Literal no_means) {
  Html h;
  h << "<fieldset><legend>" << question
    << "</legend><label class=\"choice\"><input "
       "type=\"radio\" name=\""
    << name << "\" value=\"yes\"" << (yes ? Literal(" checked") : Literal(""))
    << "> Yes: " << yes_means << "</label><label class=\"choice\"><input type=\"radio\" name=\""
    << name << "\" value=\"no\"" << (yes ? Literal("") : Literal(" checked"))
    << "> No: " << no_means << "</label></fieldset>";
  return h;
}

Result<access::ConsentDirective> StoredConsent(api::RouteContext& context,
                                               const std::string& patient_id) {
  VIGIL_ASSIGN_OR_RETURN(auto stored, context.deps.store.access().FindConsent(patient_id));
  if (!stored) return access::ConsentDirective{};  // the default: the care team for treatment
  return access::DecodeConsent(*stored);
}

}  // namespace

api::HttpReply ConsentPage(const PageContext& page) {
  auto own = AuthorizeOwnRecord(page, access::Action::kReadConsent, "console:consent");
  if (auto* refused = std::get_if<api::HttpReply>(&own)) return std::move(*refused);
  const std::string* patient_id = &std::get<std::string>(own);
  auto directive = StoredConsent(page.context, *patient_id);
  if (!directive.ok()) return ErrorPage(page, 503, "Your consent could not be read.");
  const access::ConsentChoices choices = access::ChoicesOf(*directive);
  Html body;
  if (page.request.Param("saved")) {
    body << "<p class=\"notice\" role=\"status\">Your choices are saved and in effect now.</p>";
  }
  body << "<p>You decide who may see the readings your devices send. Your care team is the "
          "people treating you: now ";
  body.Text(CareTeamInWords(page.context, *patient_id));
  body << ". Whatever you choose, someone treating you in an emergency can still open your "
          "record, but must give a reason, and the security officer reviews it. Every look is in "
          "<a href=\"/console/me/readers\">Who read my data</a>.</p>";
  if (directive->updated_ms > 0) {
    body << "<p>You last changed this on ";
    body.Time(directive->updated_ms) << ".</p>";
  }
  body << "<form class=\"stack\" method=\"post\" action=\"/console/me/consent\">"
       << CsrfField(page.viewer)
       << Choice("vital_signs", choices.care_team_vital_signs,
                 "May your care team see your vital signs?",
                 "heart rate, oxygen, blood pressure, glucose, temperature and weight, to treat "
                 "you",
                 "your care team sees none of your readings; only an emergency opens them")
       << Choice("device_data", choices.care_team_device_data,
                 "May your care team see which devices you use?",
                 "the kind of each device and when it last sent readings, to know they work",
                 "your devices are hidden from your care team")
       << Choice("research", choices.research, "May your data be used for medical research?",
                 "researchers get your readings with your name, address, numbers and exact "
                 "dates removed",
                 "your data is never given to research")
       << "<p><button type=\"submit\">Save my choices</button></p></form>";
  const std::vector<std::string> personal = access::PersonalExceptions(*directive);
  if (!personal.empty()) {
    body << "<h2>Choices about one person</h2><p>You also made these choices (kept as they are "
            "when you save the form):</p><ul>";
    for (const auto& line : personal) {
      body << "<li>";
      body.Text(line);
      body << "</li>";
    }
    body << "</ul>";
  }
  return page.Page("My consent", body);
}

api::HttpReply SubmitConsent(const PageContext& page) {
  auto own = AuthorizeOwnRecord(page, access::Action::kWriteConsent, "console:consent");
  if (auto* refused = std::get_if<api::HttpReply>(&own)) return std::move(*refused);
  const std::string* patient_id = &std::get<std::string>(own);
  access::ConsentChoices choices;
  for (auto [name, answer] : {std::pair{"vital_signs", &choices.care_team_vital_signs},
                              std::pair{"device_data", &choices.care_team_device_data},
                              std::pair{"research", &choices.research}}) {
    const std::string value = FormValue(page.form, name);
    if (value != "yes" && value != "no") {
      return ErrorPage(page, 400, "Answer each question yes or no; nothing was changed.");
    }
    *answer = value == "yes";
  }
  auto directive = StoredConsent(page.context, *patient_id);
  if (!directive.ok()) return ErrorPage(page, 503, "Your consent could not be read.");
  access::ConsentDirective changed = access::WithChoices(*directive, choices);
  const Status saved = access::SaveConsent(
      page.context.deps.store.access(), page.context.deps.audit,
      page.context.deps.clock.NowMillis(), *patient_id, changed, page.session.who.username);
  if (!saved.ok()) return ErrorPage(page, 503, "Your choices could not be saved; try again.");
  return Redirect("/console/me/consent?saved=1");
}

}  // namespace vigil::console
