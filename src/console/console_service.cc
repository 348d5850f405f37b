#include "console/console_service.h"

#include <charconv>

#include "console/assets.h"
#include "console/console_http.h"
#include "console/pages.h"

namespace vigil::console {
namespace {

// "<prefix><id>" or "<prefix><id>/<verb>": the id and the verb ("" for none).
struct IdPath {
  int64_t id = 0;
  std::string_view verb;
};
std::optional<IdPath> ParseIdPath(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  const std::string_view rest = path.substr(prefix.size());
  const size_t slash = rest.find('/');
  const std::string_view digits = rest.substr(0, slash);
  IdPath out;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.id);
  if (ec != std::errc() || end != digits.data() + digits.size() || out.id <= 0) {
    return std::nullopt;
  }
  if (slash != std::string_view::npos) out.verb = rest.substr(slash + 1);
  return out;
}

// "<prefix><entity>/<verb>": the entity (a device id, a username, an address).
std::optional<std::string> EntityBefore(std::string_view path, std::string_view prefix,
                                        std::string_view verb) {
  if (!path.starts_with(prefix)) return std::nullopt;
  const std::string_view rest = path.substr(prefix.size());
  const size_t slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || rest.substr(slash + 1) != verb) {
    return std::nullopt;
  }
  return std::string(rest.substr(0, slash));
}

// A form posted from another site (its Origin is not this hub's): refused before anything else.
bool CrossSite(const api::ApiRequest& request) {
  if (request.origin.empty()) return false;  // same-origin navigations may omit it
  return request.origin != "https://" + request.host;
}

api::HttpReply AssetReply(const Asset& asset) {
  api::HttpReply reply(200, std::string(asset.content_type), std::string(asset.body));
  AddConsoleHeaders(reply);
  return reply;
}

}  // namespace

bool ConsoleService::Serves(std::string_view path) {
  return path == "/" || path == "/console" || path.starts_with("/console/");
}

api::HttpReply ConsoleService::Handle(const api::ApiRequest& request) {
  const std::string& path = request.path;
  const bool post = request.method == "POST";
  if (!post && request.method != "GET") return api::MethodNotAllowed("GET, POST");
  if (post && CrossSite(request)) {
    return PageReply(std::nullopt, "Refused",
                     Html() << "<p class=\"error\">This form was sent "
                               "from another site and was refused.</p>",
                     403);
  }
  if (path == "/" || path == "/console") return Redirect("/console/");
  if (const auto asset = FindAsset(path)) return AssetReply(*asset);
  if (path == "/console/login") return post ? SubmitLogin(context_, request) : LoginPage("");
  if (path == "/console/mfa") return post ? SubmitMfa(context_, request) : MfaPage("");
  const auto token = CookieValue(request.cookie, kSessionCookie);
  auto session = token ? context_.deps.auth.Authenticate(*token, request.peer_address)
                       : Result<api::Session>(Status::Unauthenticated("no session"));
  if (!session.ok()) {
    if (path == "/console/privacy") return PrivacyPage(std::nullopt, idle_logout_s_);
    return post ? LoginPage("Your session has ended: sign in again.", 401)
                : Redirect("/console/login");
  }
  const Viewer viewer{session->who, CsrfToken(*token)};
  Form form;
  if (post) {
    auto parsed = ParseForm(request.body);
    if (parsed.ok()) form = std::move(*parsed);
    if (!parsed.ok() || !CsrfTokenMatches(*token, FormValue(form, "csrf"))) {
      return PageReply(viewer, "Refused",
                       Html() << "<p class=\"error\">This form could not be accepted (it was "
                                 "not sent from this page, or the page is too old). Nothing was "
                                 "changed. Go back, reload, and try again.</p>",
                       403, idle_logout_s_);
    }
  }
  return SignedIn(request, form, *session, viewer);
}

api::HttpReply ConsoleService::SignedIn(const api::ApiRequest& request, const Form& form,
                                        const api::Session& session, const Viewer& viewer) {
  const PageContext page{request, form, session, viewer, context_, hub_, idle_logout_s_};
  const std::string& path = request.path;
  const bool post = request.method == "POST";
  if (path == "/console/logout") return post ? SubmitLogout(page) : Redirect("/console/");
  if (path == "/console/password") return post ? SubmitPassword(page) : PasswordPage(page, "");
  if (session.must_change_password) return Redirect("/console/password");
  if (path == "/console/privacy") return PrivacyPage(viewer, idle_logout_s_);
  if (path == "/console/") {
    switch (session.who.role) {
      case access::Role::kSecurityOfficer:
      case access::Role::kAdmin:
      case access::Role::kDeviceAdmin:
        return Redirect("/console/security");
      case access::Role::kClinician:
      case access::Role::kNurse:
        return Redirect("/console/patients");
      case access::Role::kPatient:
        return Redirect("/console/me");
      case access::Role::kPrivacyOfficer:
        return Redirect("/console/privacy-requests");
    }
  }
  if (path == "/console/security") return Dashboard(page);
  if (path == "/console/alerts") return AlertsPage(page);
  if (path == "/console/patients") return MyPatients(page);
  if (path == "/console/me") return MyVitals(page);
  if (path == "/console/me/readers") return ReadersPage(page);
  if (path == "/console/incidents") return IncidentsPage(page);
  if (path == "/console/audit") return AuditPage(page);
  if (path == "/console/reviews") return ReviewsPage(page);
  if (path == "/console/me/consent") return post ? SubmitConsent(page) : ConsentPage(page);
  if (path == "/console/admin/users") return post ? SubmitAddUser(page) : UsersPage(page);
  if (path == "/console/admin/patients") {
    return post ? SubmitAddPatient(page) : PatientsAdminPage(page);
  }
  if (path == "/console/admin/careteam" && post) return SubmitCareTeamChange(page);
  if (path == "/console/admin/devices") return post ? SubmitEnrolDevice(page) : DevicesPage(page);
  if (path == "/console/privacy-requests" && !post) return PrivacyRequestsPage(page);
  constexpr std::string_view kPrivacyRequests = "/console/privacy-requests/";
  if (post && path.starts_with(kPrivacyRequests)) {
    const std::string rest = path.substr(kPrivacyRequests.size());
    const size_t slash = rest.find('/');
    if (slash != std::string::npos && slash > 0) {
      return SubmitPrivacyRequest(page, rest.substr(0, slash), rest.substr(slash + 1));
    }
  }
  if (const auto review = ParseIdPath(path, "/console/reviews/")) {
    if (review->verb.empty() && post) return SubmitReview(page, review->id);
  }
  if (const auto alert = ParseIdPath(path, "/console/alerts/")) {
    if (alert->verb.empty() && !post) return AlertPage(page, alert->id);
    if (!alert->verb.empty() && post) return SubmitAlertAction(page, alert->id, alert->verb);
  }
  if (const auto incident = ParseIdPath(path, "/console/incidents/")) {
    const std::string_view verb = incident->verb;
    if (verb.empty() && !post) return IncidentPage(page, incident->id);
    if (verb == "close" && post) return SubmitIncidentClose(page, incident->id);
    if (!post && (verb == "report" || verb == "report.md" || verb == "report.json")) {
      return IncidentReport(page, incident->id, verb == "report" ? "" : verb.substr(7));
    }
  }
  constexpr std::string_view kPatients = "/console/patients/", kDevices = "/console/devices/";
  if (path.starts_with(kPatients)) {
    const std::string_view rest = std::string_view(path).substr(kPatients.size());
    if (!rest.empty() && rest.find('/') == std::string_view::npos) {
      return ChartPage(page, std::string(rest), FormValue(form, "reason"));
    }
  }
  if (post) {
    if (auto user = EntityBefore(path, "/console/admin/users/", "revoke-sessions")) {
      return SubmitRevokeSessions(page, *user);
    }
    if (auto device = EntityBefore(path, "/console/admin/devices/", "revoke")) {
      return SubmitRevokeDevice(page, *device);
    }
    for (const auto& [prefix, verb] : {std::pair{kDevices, std::string_view("release")},
                                       {std::string_view("/console/users/"), "unlock"},
                                       {std::string_view("/console/addresses/"), "unblock"}}) {
      if (auto entity = EntityBefore(path, prefix, verb)) return SubmitUndo(page, verb, *entity);
    }
  }
  return ErrorPage(page, 404, "There is no such page.");
}

}  // namespace vigil::console
