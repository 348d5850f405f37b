// Authentication: password (Argon2id), then a TOTP second factor, then an opaque
// session token. Every attempt, success or failure, is recorded in the audit ledger through
// the AuditTrail before the answer is given. Failures are throttled per account and per address;
// an unknown username costs the same work and gets the same answer as a wrong password.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "access/login_throttle.h"
#include "access/roles.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/unauthenticated_budget.h"
#include "events/audit_records.h"
#include "events/audit_trail.h"
#include "events/security_event.h"
#include "store/access_store.h"
#include "store/keyring.h"

namespace vigil::access {

struct SessionSettings {
  int64_t idle_ms = 15 * 60'000;       // a session unused this long expires
  int64_t absolute_ms = 8 * 3600'000;  // and every session after this long
  int64_t challenge_ms = 5 * 60'000;   // time to answer the MFA challenge
  int max_code_attempts = 3;           // wrong codes before the challenge is spent
  ThrottlePolicy throttle;
  std::string hub_name;  // a password may not contain it (password_policy.h)
};

struct LoginChallenge {
  std::string challenge;  // opaque; answered with a TOTP code at CompleteMfa
  int64_t expires_ms = 0;
};

struct NewSession {
  std::string token;  // opaque bearer token (base64url of 32 random bytes); stored only hashed
  int64_t idle_expires_ms = 0;
  int64_t absolute_expires_ms = 0;
  bool must_change_password = false;
};

struct AuthenticatedSession {
  Principal who;
  std::string token_hash;
  bool must_change_password = false;
};

// Errors a route maps to HTTP: Unauthenticated -> 401, ResourceExhausted -> 429 (the message
// carries nothing about whether the account exists), InvalidArgument -> 400.
class AuthService {
 public:
  // Every attempt is recorded in `audit` before it is answered; `events` (may be null) hears of
  // every login attempt and of tokens used from new addresses (the detection engine).
  AuthService(store::AccessStore& store, store::KeyRing& keys, const Clock& clock,
              SessionSettings settings, events::AuditTrail& audit,
              events::SecurityEventSink* events = nullptr);

  Result<LoginChallenge> Login(const std::string& username, const std::string& password,
                               const std::string& address);
  Result<NewSession> CompleteMfa(const std::string& challenge, const std::string& code,
                                 const std::string& address);
  // The session `token` belongs to, if it is live; Unauthenticated otherwise.
  // `address` is the peer presenting the token: when it differs from the one that completed MFA,
  // the observer hears of it (a token used from a new address may have been stolen).
  Result<AuthenticatedSession> Authenticate(const std::string& token,
                                            const std::string& address = "");
  Status Logout(const AuthenticatedSession& session);
  Status ChangePassword(const AuthenticatedSession& session, const std::string& current,
                        const std::string& replacement);
  // Milliseconds before a login for `username` from `address` may be tried (0: now).
  int64_t RetryAfterMs(const std::string& username, const std::string& address) {
    return throttle_.RetryAfterMs(username, address);
  }
  void Unlock(const std::string& username) { throttle_.Unlock(username); }
  // Applies the unlock requests made since the last call (UnlockLogin, from the CLI or the API).
  Status ApplyUnlocks();

 private:
  struct Pending {
    std::string username;
    int64_t expires_ms = 0;
    int attempts = 0;
  };
  // Appends `record` (an events::audit type) to the trail, durably, at the clock's time.
  template <class T>
  Status Record(const T& record) {
    return audit_.Append(events::Record(clock_.NowMillis(), record));
  }
  // A login entry of an attempt that names no known account, within anonymous_'s budget.
  Status RecordAnonymous(events::audit::Login login);
  // PermissionDenied, recorded, if a containment playbook holds the account.
  Status RefuseIfHeld(const std::string& username, const std::string& address);
  void Observe(events::EventKind kind, const std::string& user, const std::string& address,
               const std::string& reason);

  store::AccessStore& store_;
  store::KeyRing& keys_;
  const Clock& clock_;
  const SessionSettings settings_;
  events::AuditTrail& audit_;
  LoginThrottle throttle_;
  // Failed attempts that name no known account (unknown usernames, throttled tries) are budgeted
  // per network prefix and hub-wide, so many addresses cannot grow the ledger without bound.
  UnauthenticatedBudget anonymous_;
  int64_t applied_unlock_ = 0;  // the last unlock request applied (ApplyUnlocks' caller only)
  events::SecurityEventSink* events_;  // may be null
  std::mutex mu_;
  std::unordered_map<std::string, Pending> challenges_;  // by SHA-256 of the challenge
};

// The sealing purpose of a user's TOTP secret (KeyRing::SealSecret).
std::string TotpPurpose(const std::string& username);

// SHA-256 of a bearer token or challenge, as stored.
std::string TokenHash(const std::string& token);

}  // namespace vigil::access
