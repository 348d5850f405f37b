// Signing in (password, then the authenticator's code), the first sign-in's password change,
// and signing out. Messages say what to do next, never whether an account exists.
#include "console/console_http.h"
#include "console/pages.h"

namespace vigil::console {
namespace {

constexpr int64_t kChallengeCookieSeconds = 5 * 60;

Html Message(std::string_view message) {
  Html h;
  if (message.empty()) return h;
  h << "<p class=\"error\" role=\"alert\">";
  h.Text(message);
  h << "</p>";
  return h;
}

// Why a sign-in step failed, for a person.
std::string Explain(const Status& status, int64_t retry_after_ms) {
  switch (status.code()) {
    case StatusCode::kResourceExhausted: {
      const int64_t minutes = (retry_after_ms + 59'999) / 60'000;
      return "Too many attempts. For your account's safety, sign-in is paused: try again in " +
             std::to_string(minutes < 1 ? 1 : minutes) + (minutes > 1 ? " minutes." : " minute.");
    }
    case StatusCode::kPermissionDenied:
      return "This account is on hold after a security alert. Ask your security officer to "
             "review it and lift the hold.";
    case StatusCode::kUnauthenticated:
    case StatusCode::kNotFound:
      return "The username or password is not right. Check them and try again.";
    case StatusCode::kInvalidArgument:
      return "Enter your username and password.";
    default:
      return "Vigil could not sign you in just now. Try again in a moment.";
  }
}

}  // namespace

api::HttpReply LoginPage(std::string_view message, int status) {
  Html body;
  body << Message(message)
       << "<form class=\"stack\" method=\"post\" action=\"/console/login\">"
          "<label for=\"username\">Username</label>"
          "<input id=\"username\" name=\"username\" autocomplete=\"username\" required>"
          "<label for=\"password\">Password</label>"
          "<input id=\"password\" name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required>"
          "<p><button type=\"submit\">Continue</button></p></form>"
          "<p>Next you will be asked for the 6-digit code from your authenticator app.</p>"
          "<p><a href=\"/console/privacy\">How Vigil protects your data</a></p>";
  return PageReply(std::nullopt, "Sign in", body, status);
}

api::HttpReply SubmitLogin(api::RouteContext& context, const api::ApiRequest& request) {
  const auto form = ParseForm(request.body);
  if (!form.ok()) return LoginPage("Enter your username and password.", 400);
  const std::string username = FormValue(*form, "username");
  auto challenge =
      context.deps.auth.Login(username, FormValue(*form, "password"), request.peer_address);
  if (!challenge.ok()) {
    const int status = challenge.status().code() == StatusCode::kResourceExhausted ? 429 : 401;
    api::HttpReply reply = LoginPage(
        Explain(challenge.status(), context.deps.auth.RetryAfterMs(username, request.peer_address)),
        status);
    return reply;
  }
  api::HttpReply reply = Redirect("/console/mfa");
  reply.headers.emplace_back(
      "Set-Cookie", SetCookie(kChallengeCookie, challenge->challenge, kChallengeCookieSeconds));
  return reply;
}

api::HttpReply MfaPage(std::string_view message, int status) {
  Html body;
  body << Message(message)
       << "<form class=\"stack\" method=\"post\" action=\"/console/mfa\">"
          "<label for=\"code\">6-digit code from your authenticator app</label>"
          "<input id=\"code\" name=\"code\" inputmode=\"numeric\" pattern=\"[0-9]{6}\" "
          "maxlength=\"6\" autocomplete=\"one-time-code\" required>"
          "<p><button type=\"submit\">Sign in</button></p></form>"
          "<p><a href=\"/console/login\">Start again</a></p>";
  return PageReply(std::nullopt, "Your code", body, status);
}

api::HttpReply SubmitMfa(api::RouteContext& context, const api::ApiRequest& request) {
  const auto challenge = CookieValue(request.cookie, kChallengeCookie);
  if (!challenge) return LoginPage("Your sign-in took too long: start again.", 401);
  const auto form = ParseForm(request.body);
  auto session = context.deps.auth.CompleteMfa(
      *challenge, form.ok() ? FormValue(*form, "code") : "", request.peer_address);
  if (!session.ok()) {
    if (session.status().code() == StatusCode::kUnauthenticated) {
      return MfaPage(
          "That code is not right (or was already used). Enter the current code; "
          "after three wrong codes, sign in again.",
          401);
    }
    return LoginPage(Explain(session.status(), 0), 401);
  }
  const int64_t max_age =
      (session->absolute_expires_ms - context.deps.clock.NowMillis() + 999) / 1000;
  api::HttpReply reply =
      Redirect(session->must_change_password ? "/console/password" : "/console/");
  reply.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, session->token, max_age));
  reply.headers.emplace_back("Set-Cookie", SetCookie(kChallengeCookie, "", 0));
  return reply;
}

api::HttpReply PasswordPage(const PageContext& page, std::string_view message, int status) {
  Html body;
  if (page.session.must_change_password) {
    body << "<p class=\"notice\">This is your first sign-in: choose your own password before "
            "going on. It must be at least 12 characters and not a common password.</p>";
  }
  body << Message(message) << "<form class=\"stack\" method=\"post\" action=\"/console/password\">"
       << CsrfField(page.viewer)
       << "<label for=\"current\">Current password</label>"
          "<input id=\"current\" name=\"current\" type=\"password\" "
          "autocomplete=\"current-password\" required>"
          "<label for=\"replacement\">New password</label>"
          "<input id=\"replacement\" name=\"replacement\" type=\"password\" "
          "autocomplete=\"new-password\" minlength=\"12\" required>"
          "<p><button type=\"submit\">Change password</button></p></form>";
  return page.Page("Change your password", body, status);
}

api::HttpReply SubmitPassword(const PageContext& page) {
  const Status changed = page.context.deps.auth.ChangePassword(
      page.session, FormValue(page.form, "current"), FormValue(page.form, "replacement"));
  if (!changed.ok()) {
    return PasswordPage(page,
                        changed.code() == StatusCode::kInvalidArgument
                            ? "That password cannot be used: " + changed.message()
                            : std::string("The current password is not right."),
                        400);
  }
  return Redirect("/console/");
}

api::HttpReply SubmitLogout(const PageContext& page) {
  (void)page.context.deps.auth.Logout(page.session);
  api::HttpReply reply = Redirect("/console/login");
  reply.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, "", 0));
  return reply;
}

}  // namespace vigil::console
