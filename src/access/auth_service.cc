#include "access/auth_service.h"

#include <algorithm>

#include "access/password.h"
#include "access/password_policy.h"
#include "access/totp.h"
#include "crypto/bytes.h"
#include "crypto/ed25519.h"

namespace vigil::access {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr size_t kMaxPendingChallenges = 10'000;

Status Unauthenticated(const std::string& why) { return Status::Unauthenticated(why); }

// base64url without padding (RFC 4648 §5) of `n` random bytes.
Result<std::string> RandomToken(size_t n) {
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, crypto::RandomBytes(n));
  std::string text = crypto::Base64Encode(bytes);
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  text.erase(text.find_last_not_of('=') + 1);
  return text;
}

// A stand-in for an unknown name in the ledger: never the name itself, which may be a
// mistyped password.
std::string NameDigest(const std::string& username) {
  return crypto::Hex(crypto::Sha256(username)).substr(0, 16);
}

}  // namespace

std::string TotpPurpose(const std::string& username) { return "totp:" + username; }

std::string TokenHash(const std::string& token) {
  const auto digest = crypto::Sha256(token);
  return std::string(digest.begin(), digest.end());
}

AuthService::AuthService(store::AccessStore& store, store::KeyRing& keys, const Clock& clock,
                         SessionSettings settings, events::AuditTrail& audit,
                         events::SecurityEventSink* events)
    : store_(store),
      keys_(keys),
      clock_(clock),
      settings_(settings),
      audit_(audit),
      throttle_(clock, settings.throttle),
      anonymous_(clock),
      events_(events) {}

void AuthService::Observe(events::EventKind kind, const std::string& user,
                          const std::string& address, const std::string& reason) {
  if (events_) events_->Submit({kind, clock_.NowMillis(), "", user, address, "", reason});
}

Status AuthService::RecordAnonymous(events::audit::Login login) {
  const auto admitted = anonymous_.Admit(login.address);
  if (!admitted.write) return Status::Ok();  // counted, and carried by the next entry written
  login.suppression = {.prefix = admitted.prefix,
                       .suppressed = admitted.suppressed,
                       .suppressed_elsewhere = admitted.suppressed_all};
  return Record(login);
}

Status AuthService::RefuseIfHeld(const std::string& username, const std::string& address) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> hold, store_.AccountHold(username));
  if (!hold) return Status::Ok();
  VIGIL_RETURN_IF_ERROR(
      Record(events::audit::Login{.user = username, .address = address, .outcome = "held"}));
  return Status::PermissionDenied(
      "this account is held by a security response (" + *hold +
      "): the security officer reviews it and lifts the hold (vigil user unlock)");
}

Result<LoginChallenge> AuthService::Login(const std::string& username, const std::string& password,
                                          const std::string& address) {
  if (throttle_.RetryAfterMs(username, address) > 0) {
    // Still an attempt: detection counts it even though the password is not checked.
    auto known = store_.FindUser(username);
    const bool exists = known.ok() && known->has_value();
    Observe(events::EventKind::kLoginFailed, exists ? username : "sha256:" + NameDigest(username),
            address, "throttled");
    VIGIL_RETURN_IF_ERROR(RecordAnonymous(
        {.user_sha256 = NameDigest(username), .address = address, .outcome = "throttled"}));
    return Status::ResourceExhausted("too many failed logins: try again later");
  }
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.FindUser(username));
  // The same Argon2id work whether or not the user exists.
  const bool matches = VerifyPassword(password, user ? user->password_hash : DecoyPasswordHash());
  if (!user || !matches) {
    throttle_.RecordFailure(username, address);
    Observe(events::EventKind::kLoginFailed, user ? username : "sha256:" + NameDigest(username),
            address, "bad_password");
    if (user) {
      VIGIL_RETURN_IF_ERROR(Record(
          events::audit::Login{.user = username, .address = address, .outcome = "bad_password"}));
    } else {
      VIGIL_RETURN_IF_ERROR(RecordAnonymous(
          {.user_sha256 = NameDigest(username), .address = address, .outcome = "bad_password"}));
    }
    return Unauthenticated("invalid username or password");
  }
  // A containment playbook's hold is told only to someone who knows the password, and holds
  // until a person lifts it: logging in again does not undo a security response.
  VIGIL_RETURN_IF_ERROR(RefuseIfHeld(username, address));
  VIGIL_ASSIGN_OR_RETURN(std::string challenge, RandomToken(kTokenBytes));
  const int64_t now = clock_.NowMillis();
  {
    std::lock_guard lock(mu_);
    std::erase_if(challenges_, [&](const auto& c) { return c.second.expires_ms < now; });
    if (challenges_.size() >= kMaxPendingChallenges) {
      return Status::ResourceExhausted("too many logins in progress: try again later");
    }
    challenges_[TokenHash(challenge)] = {username, now + settings_.challenge_ms, 0};
  }
  VIGIL_RETURN_IF_ERROR(
      Record(events::audit::Login{.user = username, .address = address, .outcome = "password_ok"}));
  return LoginChallenge{challenge, now + settings_.challenge_ms};
}

Result<NewSession> AuthService::CompleteMfa(const std::string& challenge, const std::string& code,
                                            const std::string& address) {
  const int64_t now = clock_.NowMillis();
  Pending pending;
  {
    std::lock_guard lock(mu_);
    auto it = challenges_.find(TokenHash(challenge));
    if (it == challenges_.end() || it->second.expires_ms < now) {
      if (it != challenges_.end()) challenges_.erase(it);
      return Unauthenticated("unknown or expired challenge: log in again");
    }
    pending = it->second;
    if (++it->second.attempts >= settings_.max_code_attempts) challenges_.erase(it);
  }
  auto fail = [&](const std::string& outcome) -> Status {
    throttle_.RecordFailure(pending.username, address);
    Observe(events::EventKind::kLoginFailed, pending.username, address, outcome);
    VIGIL_RETURN_IF_ERROR(Record(
        events::audit::Mfa{.user = pending.username, .address = address, .outcome = outcome}));
    return Unauthenticated("invalid code");
  };
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.FindUser(pending.username));
  if (!user) return fail("no_such_user");
  VIGIL_ASSIGN_OR_RETURN(std::string secret,
                         keys_.OpenSecret(user->sealed_totp_secret, TotpPurpose(user->username)));
  const std::optional<int64_t> step = MatchTotp(secret, code, now);
  crypto::Wipe(secret);
  if (!step) return fail("bad_code");
  VIGIL_ASSIGN_OR_RETURN(bool fresh, store_.ClaimTotpStep(user->username, *step));
  if (!fresh) return fail("reused_code");
  VIGIL_RETURN_IF_ERROR(RefuseIfHeld(user->username, address));  // held since the password
  {
    std::lock_guard lock(mu_);
    challenges_.erase(TokenHash(challenge));
  }
  throttle_.RecordSuccess(user->username, address);
  Observe(events::EventKind::kLoginSucceeded, user->username, address, "ok");
  VIGIL_ASSIGN_OR_RETURN(std::string token, RandomToken(kTokenBytes));
  VIGIL_RETURN_IF_ERROR(
      store_.InsertSession({TokenHash(token), user->username, now, now, address}));
  VIGIL_RETURN_IF_ERROR(
      Record(events::audit::Mfa{.user = user->username, .address = address, .outcome = "ok"}));
  return NewSession{token, now + settings_.idle_ms, now + settings_.absolute_ms,
                    user->must_change_password};
}

Result<AuthenticatedSession> AuthService::Authenticate(const std::string& token,
                                                       const std::string& address) {
  if (token.empty() || token.size() > 128) return Unauthenticated("a bearer token is required");
  const std::string hash = TokenHash(token);
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::SessionRecord> session, store_.FindSession(hash));
  if (!session) return Unauthenticated("invalid or expired session");
  const int64_t now = clock_.NowMillis();
  if (now - session->last_seen_ms > settings_.idle_ms ||
      now - session->created_ms > settings_.absolute_ms) {
    VIGIL_RETURN_IF_ERROR(store_.DeleteSession(hash));
    return Unauthenticated("invalid or expired session");
  }
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.FindUser(session->username));
  if (!user) return Unauthenticated("invalid or expired session");
  const auto role = ParseRole(user->role);
  if (!role) return Status::DataLoss("user " + user->username + " has an unknown role");
  if (!address.empty() && address != session->address) {
    // A token is bound to the address that completed MFA: shown from anywhere else it is
    // taken to be stolen and ends before this request (or any other) is answered.
    if (events_) {
      events_->Submit({events::EventKind::kSessionNewAddress, now, "", user->username, address, "",
                       session->address});
    }
    VIGIL_RETURN_IF_ERROR(store_.DeleteSession(hash));
    VIGIL_RETURN_IF_ERROR(Record(events::audit::SessionsRevoked{.user = user->username,
                                                                .by = "hub:token-from-new-address",
                                                                .count = 1,
                                                                .address = address}));
    return Unauthenticated(
        "session ended: its token was presented from another network address than the one "
        "that logged in; log in again");
  }
  // Refresh the idle clock, but write at most once per tenth of the idle time.
  if (now - session->last_seen_ms > settings_.idle_ms / 10) {
    VIGIL_RETURN_IF_ERROR(store_.TouchSession(hash, now));
  }
  return AuthenticatedSession{
      {user->username, *role, user->patient_id}, hash, user->must_change_password};
}

Status AuthService::ApplyUnlocks() {
  VIGIL_ASSIGN_OR_RETURN(auto requests, store_.UnlocksAfter(applied_unlock_));
  for (const auto& [id, username] : requests) {
    throttle_.Unlock(username);
    applied_unlock_ = id;
  }
  return Status::Ok();
}

Status AuthService::Logout(const AuthenticatedSession& session) {
  VIGIL_RETURN_IF_ERROR(store_.DeleteSession(session.token_hash));
  return Record(events::audit::Logout{.user = session.who.username});
}

Status AuthService::ChangePassword(const AuthenticatedSession& session, const std::string& current,
                                   const std::string& replacement) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::UserRecord> user,
                         store_.FindUser(session.who.username));
  if (!user || !VerifyPassword(current, user->password_hash)) {
    return Unauthenticated("the current password is wrong");
  }
  VIGIL_RETURN_IF_ERROR(
      CheckNewPassword(replacement, {user->username, settings_.hub_name, current}));
  VIGIL_ASSIGN_OR_RETURN(std::string hash, HashPassword(replacement));
  VIGIL_RETURN_IF_ERROR(store_.SetPassword(user->username, hash, /*must_change=*/false));
  VIGIL_RETURN_IF_ERROR(Record(events::audit::PasswordChanged{.user = user->username}));
  // Whoever held the old password may hold a session made with it: every other one ends.
  VIGIL_ASSIGN_OR_RETURN(const int64_t ended,
                         store_.DeleteUserSessions(user->username, session.token_hash));
  if (ended == 0) return Status::Ok();
  return Record(
      events::audit::SessionsRevoked{.user = user->username, .by = user->username, .count = ended});
}

}  // namespace vigil::access
