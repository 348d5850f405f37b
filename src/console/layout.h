// The frame of every console page: the document head (stylesheet, no script), a skip link, the
// navigation the signed-in role may use, sign-out (a form carrying the CSRF token), and the
// idle sign-out (HIPAA 164.312(a)(2)(iii)): the page leaves the screen when the session lapses
// (assets.h's one script). Also the security headers every console answer carries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "access/roles.h"
#include "api/http_reply.h"
#include "console/html.h"

namespace vigil::console {

// Who the page is for; nullopt before sign-in.
struct Viewer {
  access::Principal who;
  std::string csrf;  // the session's CSRF token, for the page's forms
};

// A whole page: 200 (or `status`) text/html with the console's headers.
api::HttpReply PageReply(const std::optional<Viewer>& viewer, std::string_view title,
                         const Html& body, int status = 200, int64_t idle_logout_s = 15 * 60);

// 303 See Other to `location` (after a form is handled: a reload does not post it again).
api::HttpReply Redirect(std::string location);

// Adds the console's headers: a Content-Security-Policy that allows this origin's stylesheet,
// script file and forms and nothing else (no inline script or style, no framing), no caching,
// and referrers only within the hub.
void AddConsoleHeaders(api::HttpReply& reply);

// A hidden field carrying the CSRF token, for a form.
Html CsrfField(const Viewer& viewer);

}  // namespace vigil::console
