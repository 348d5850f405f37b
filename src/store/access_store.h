// The people-facing records: users, sessions, care teams, consent directives and
// break-glass reviews. Kept in the hub's store beside the readings (Store::access()); every
// method is thread-safe. Secrets are stored only as hashes (passwords: Argon2id; session
// tokens: SHA-256) or sealed (TOTP secrets, under the master key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::store {

struct UserRecord {
  std::string username;
  std::string role;        // access::RoleName
  std::string patient_id;  // for patient users
  std::string password_hash;
  bool must_change_password = true;
  std::string sealed_totp_secret;
  int64_t last_totp_step = 0;  // the newest TOTP step accepted: no code is accepted twice
  int64_t created_ms = 0;
};

struct SessionRecord {
  std::string token_hash;  // SHA-256 of the bearer token, 32 bytes
  std::string username;
  int64_t created_ms = 0;
  int64_t last_seen_ms = 0;
  std::string address;  // the peer address that completed MFA
};

struct ReviewRecord {
  int64_t id = 0;
  std::string username;
  std::string patient_id;
  std::string reason;
  std::string resource;  // what was read
  int64_t created_ms = 0;
  bool open = true;
};

// A store's constraint failures on InsertUser and AddCareTeamMember, said as what they mean.
inline Status ExplainUserInsert(const Status& s, const UserRecord& u) {
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("user " + u.username + " exists");
  }
  if (s.code() == StatusCode::kFailedPrecondition) {
    return Status::FailedPrecondition("no patient " + u.patient_id);
  }
  return s;
}
inline Status ExplainCareTeamInsert(const Status& s, const std::string& patient_id,
                                    const std::string& username) {
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists(username + " is on " + patient_id + "'s care team already");
  }
  if (s.code() == StatusCode::kFailedPrecondition) {
    return Status::FailedPrecondition("no patient " + patient_id + " or no user " + username);
  }
  return s;
}

class AccessStore {
 public:
  virtual ~AccessStore() = default;

  // AlreadyExists if the username is taken.
  virtual Status InsertUser(const UserRecord& user) = 0;
  virtual Result<std::optional<UserRecord>> FindUser(const std::string& username) = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;
  // NotFound if there is no such user.
  virtual Status SetPassword(const std::string& username, const std::string& password_hash,
                             bool must_change) = 0;
  // Records `step` as used if it is newer than the last accepted one; false if it is not
  // (the code was used already, or an older one was): atomic, so two racing requests with the
  // same code cannot both succeed.
  virtual Result<bool> ClaimTotpStep(const std::string& username, int64_t step) = 0;

  virtual Status InsertSession(const SessionRecord& session) = 0;
  virtual Result<std::optional<SessionRecord>> FindSession(const std::string& token_hash) = 0;
  virtual Status TouchSession(const std::string& token_hash, int64_t now_ms) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  // Deletes every session of `username` but the one whose token hash is `keep` (empty: all);
  // how many it deleted.
  virtual Result<int64_t> DeleteUserSessions(const std::string& username,
                                             const std::string& keep = "") = 0;
  // Asks the running hub to clear the login throttle of `username` (`vigil user unlock`: the
  // throttle lives in the hub's memory, which polls these requests).
  virtual Status RequestUnlock(const std::string& username, const std::string& by,
                               int64_t now_ms) = 0;
  // Unlock requests after request id `after`, oldest first: (id, username).
  virtual Result<std::vector<std::pair<int64_t, std::string>>> UnlocksAfter(int64_t after) = 0;

  // AlreadyExists if the user is on the team; FailedPrecondition if user or patient is unknown.
  virtual Status AddCareTeamMember(const std::string& patient_id, const std::string& username) = 0;
  // NotFound if the user is not on the team.
  virtual Status RemoveCareTeamMember(const std::string& patient_id,
                                      const std::string& username) = 0;
  virtual Result<bool> IsOnCareTeam(const std::string& patient_id, const std::string& username) = 0;
  virtual Result<std::vector<std::string>> CareTeam(const std::string& patient_id) = 0;
  // Accounts a containment playbook holds (an insider, a stolen token): no new session until a
  // person lifts the hold (`vigil user unlock`). Holding is idempotent (the first reason stays).
  virtual Status HoldAccount(const std::string& username, const std::string& reason,
                             int64_t since_ms) = 0;
  // Why the account is held, if it is.
  virtual Result<std::optional<std::string>> AccountHold(const std::string& username) = 0;
  // Lifts the hold; whether there was one.
  virtual Result<bool> ReleaseAccount(const std::string& username) = 0;

  // The patients whose care team `username` is on, by id.
  virtual Result<std::vector<std::string>> PatientsCaredForBy(const std::string& username) = 0;

  // The patient's stored consent directive (access::EncodeConsent), if they made one.
  virtual Result<std::optional<std::string>> FindConsent(const std::string& patient_id) = 0;
  virtual Status PutConsent(const std::string& patient_id, const std::string& encoded,
                            int64_t updated_ms) = 0;

  // Stores a review item; its id.
  virtual Result<int64_t> InsertReview(const ReviewRecord& review) = 0;
  virtual Result<std::vector<ReviewRecord>> ListReviews(bool open_only) = 0;
  // Closes an open review item (the security officer has looked at it); the item as it was, or
  // nullopt if there is no open item `id` (none, or closed already: two reviewers racing cannot
  // both close it).
  virtual Result<std::optional<ReviewRecord>> CloseReview(int64_t id) = 0;
};

}  // namespace vigil::store
