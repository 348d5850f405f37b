#include "console/console_service.h"

#include <charconv>

#include "console/assets.h"
#include "console/console_http.h"
#include "console/pages.h"

namespace vigil::console {
namespace {

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
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
  if (post) {
    auto form = ParseForm(request.body);
    if (!form.ok() || !CsrfTokenMatches(*token, FormValue(*form, "csrf"))) {
      return PageReply(viewer, "Refused",
                       Html() << "<p class=\"error\">This form could not be accepted (it was "
                                 "not sent from this page, or the page is too old). Nothing was "
                                 "changed. Go back, reload, and try again.</p>",
                       403, idle_logout_s_);
    }
  }
  return SignedIn(request, *session, viewer);
}

api::HttpReply ConsoleService::SignedIn(const api::ApiRequest& request, const api::Session& session,
                                        const Viewer& viewer) {
  const PageContext page{request, session, viewer, context_, hub_, idle_logout_s_};
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
    }
  }
  if (path == "/console/security") return Dashboard(page);
  if (path == "/console/alerts") return AlertsPage(page);
  if (path == "/console/patients") return MyPatients(page);
  if (path == "/console/me") return MyVitals(page);
  if (path == "/console/me/readers") return ReadersPage(page);
  constexpr std::string_view kAlerts = "/console/alerts/", kPatients = "/console/patients/",
                             kDevices = "/console/devices/";
  if (path.starts_with(kAlerts)) {
    const std::string_view rest = std::string_view(path).substr(kAlerts.size());
    const size_t slash = rest.find('/');
    const auto id = ParseId(rest.substr(0, slash));
    if (id && slash == std::string_view::npos && !post) return AlertPage(page, *id);
    if (id && slash != std::string_view::npos && post) {
      return SubmitAlertAction(page, *id, rest.substr(slash + 1));
    }
  }
  if (path.starts_with(kPatients)) {
    const std::string_view rest = std::string_view(path).substr(kPatients.size());
    if (!rest.empty() && rest.find('/') == std::string_view::npos) {
      std::string reason;
      if (post) reason = FormValue(FormOf(request.body), "reason");
      return ChartPage(page, std::string(rest), reason);
    }
  }
  if (path.starts_with(kDevices) && path.ends_with("/release") && post) {
    const std::string_view rest = std::string_view(path).substr(kDevices.size());
    return SubmitDeviceRelease(page, std::string(rest.substr(0, rest.size() - 8)));
  }
  return ErrorPage(page, 404, "There is no such page.");
}

}  // namespace vigil::console
