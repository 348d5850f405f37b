#include "console/layout.h"

#include "console/assets.h"

namespace vigil::console {
namespace {

using access::Role;

void Navigation(Html& h, const Viewer& viewer) {
  const Role role = viewer.who.role;
  h << "<nav aria-label=\"Main\"><ul>";
  switch (role) {
    case Role::kSecurityOfficer:
      h << "<li><a href=\"/console/security\">Dashboard</a></li>"
           "<li><a href=\"/console/alerts\">Alerts</a></li>"
           "<li><a href=\"/console/incidents\">Incidents</a></li>"
           "<li><a href=\"/console/reviews\">Break-glass reviews</a></li>"
           "<li><a href=\"/console/audit\">Audit ledger</a></li>";
      break;
    case Role::kClinician:
    case Role::kNurse:
      h << "<li><a href=\"/console/patients\">My patients</a></li>";
      break;
    case Role::kPatient:
      h << "<li><a href=\"/console/me\">My vitals</a></li>"
           "<li><a href=\"/console/me/readers\">Who read my data</a></li>"
           "<li><a href=\"/console/me/consent\">My consent</a></li>";
      break;
    case Role::kAdmin:
      h << "<li><a href=\"/console/security\">Hub status</a></li>"
           "<li><a href=\"/console/admin/users\">Users</a></li>"
           "<li><a href=\"/console/admin/patients\">Patients and care teams</a></li>";
      break;
    case Role::kDeviceAdmin:
      h << "<li><a href=\"/console/security\">Hub status</a></li>"
           "<li><a href=\"/console/admin/devices\">Devices</a></li>";
      break;
    case Role::kPrivacyOfficer:
      h << "<li><a href=\"/console/privacy-requests\">Privacy requests</a></li>";
      break;
  }
  h << "<li><a href=\"/console/privacy\">Privacy and security</a></li></ul></nav>";
  h << "<form method=\"post\" action=\"/console/logout\">" << CsrfField(viewer)
    << "<span class=\"who\">";
  h.Text(viewer.who.username).Text(" (").Text(access::RoleName(role)).Text(") ");
  h << "</span><button type=\"submit\">Sign out</button></form>";
}

}  // namespace

void AddConsoleHeaders(api::HttpReply& reply) {
  reply.headers.emplace_back("Content-Security-Policy",
                             "default-src 'none'; script-src 'self'; style-src 'self'; "
                             "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                             "base-uri 'none'");
  reply.headers.emplace_back("Cache-Control", "no-store");
  reply.headers.emplace_back("X-Frame-Options", "DENY");
  // Same-origin, not the API's no-referrer: under no-referrer a browser posts forms with
  // "Origin: null", which the console must refuse as it would another site's.
  reply.headers.emplace_back("Referrer-Policy", "same-origin");
}

Html CsrfField(const Viewer& viewer) {
  Html h;
  h << "<input type=\"hidden\" name=\"csrf\" value=\"";
  h.Text(viewer.csrf);
  h << "\">";
  return h;
}

api::HttpReply PageReply(const std::optional<Viewer>& viewer, std::string_view title,
                         const Html& body, int status, int64_t idle_logout_s) {
  Html h;
  h << "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  h << "<title>";
  h.Text(title);
  h << " · Vigil</title><link rel=\"stylesheet\" href=\"";
  h.Text(kStylesheetPath);
  h << "\"><link rel=\"icon\" href=\"";
  h.Text(kIconPath);
  h << "\">";
  if (viewer) {
    h << "<script src=\"";
    h.Text(kIdleScriptPath);
    h << "\" defer></script></head><body data-idle-seconds=\"";
    h.Int(idle_logout_s);
    h << "\">";
  } else {
    h << "</head><body>";
  }
  h << "<a class=\"skip\" href=\"#main\">Skip to content</a><header>"
       "<a class=\"brand\" href=\"/console/\">Vigil</a>";
  if (viewer) Navigation(h, *viewer);
  h << "</header><main id=\"main\"><h1>";
  h.Text(title);
  h << "</h1>" << body << "</main><footer>";
  if (viewer) {
    h << "After ";
    h.Int(idle_logout_s / 60);
    h << " minutes without use Vigil signs you out.";
  }
  h << "</footer></body></html>";
  api::HttpReply reply(status, "text/html; charset=utf-8", std::move(h).Take());
  AddConsoleHeaders(reply);
  return reply;
}

api::HttpReply Redirect(std::string location) {
  api::HttpReply reply(303, "text/plain; charset=utf-8", "");
  reply.headers.emplace_back("Location", std::move(location));
  AddConsoleHeaders(reply);
  return reply;
}

}  // namespace vigil::console
