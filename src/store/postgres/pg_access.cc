// Users, sessions, care teams, consents, reviews and unlock requests in PostgreSQL.
#include <string>

#include "store/postgres/pg_parts.h"

namespace vigil::store::pg {
namespace {

const std::string kUserColumns =
    "SELECT username, role, COALESCE(patient_id, ''), password_hash, must_change_password,"
    " sealed_totp_secret, last_totp_step, created_ms FROM users";

UserRecord ReadUser(const Rows& r, int i) {
  return {r.Text(i, 0),     r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
          r.Int(i, 4) != 0, r.Text(i, 5), r.Int(i, 6),  r.Int(i, 7)};
}

std::string ReadText(const Rows& r, int i) { return r.Text(i, 0); }

class PgAccessStore final : public AccessStore {
 public:
  explicit PgAccessStore(Pool& pool) : pool_(pool) {}

  Status InsertUser(const UserRecord& u) override {
    return ExplainUserInsert(
        RunPooled(pool_,
                  "INSERT INTO users (username, role, patient_id, password_hash,"
                  " must_change_password, sealed_totp_secret, last_totp_step, created_ms)"
                  " VALUES ($1, $2, NULLIF($3, ''), $4, $5 <> 0, $6, $7, $8)",
                  Params()
                      .Text(u.username)
                      .Text(u.role)
                      .Text(u.patient_id)
                      .Text(u.password_hash)
                      .Int(u.must_change_password ? 1 : 0)
                      .Bytes(u.sealed_totp_secret)
                      .Int(u.last_totp_step)
                      .Int(u.created_ms)),
        u);
  }

  Result<std::optional<UserRecord>> FindUser(const std::string& username) override {
    return FindRow(pool_, kUserColumns + " WHERE username = $1", Params().Text(username), ReadUser);
  }

  Result<std::vector<UserRecord>> ListUsers() override {
    return ReadRows(pool_, kUserColumns + " ORDER BY username", {}, ReadUser);
  }

  Status SetPassword(const std::string& username, const std::string& hash,
                     bool must_change) override {
    return ChangePooled(pool_,
                        "UPDATE users SET password_hash = $1, must_change_password = $2 <> 0"
                        " WHERE username = $3",
                        Params().Text(hash).Int(must_change ? 1 : 0).Text(username),
                        "no user " + username);
  }

  Result<bool> ClaimTotpStep(const std::string& username, int64_t step) override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    VIGIL_ASSIGN_OR_RETURN(
        Rows rows, conn->Query("UPDATE users SET last_totp_step = $1 WHERE username = $2 AND"
                               " last_totp_step < $1",
                               Params().Int(step).Text(username)));
    return rows.affected() == 1;
  }

  Status InsertSession(const SessionRecord& s) override {
    return RunPooled(pool_,
                     "INSERT INTO sessions (token_hash, username, created_ms, last_seen_ms,"
                     " address) VALUES ($1, $2, $3, $4, $5)",
                     Params()
                         .Bytes(s.token_hash)
                         .Text(s.username)
                         .Int(s.created_ms)
                         .Int(s.last_seen_ms)
                         .Text(s.address));
  }

  Result<std::optional<SessionRecord>> FindSession(const std::string& token_hash) override {
    return FindRow(
        pool_,
        "SELECT token_hash, username, created_ms, last_seen_ms, address FROM sessions"
        " WHERE token_hash = $1",
        Params().Bytes(token_hash), [](const Rows& r, int i) {
          return SessionRecord{r.Text(i, 0), r.Text(i, 1), r.Int(i, 2), r.Int(i, 3), r.Text(i, 4)};
        });
  }

  Status TouchSession(const std::string& token_hash, int64_t now_ms) override {
    return RunPooled(pool_, "UPDATE sessions SET last_seen_ms = $1 WHERE token_hash = $2",
                     Params().Int(now_ms).Bytes(token_hash));
  }

  Status DeleteSession(const std::string& token_hash) override {
    return RunPooled(pool_, "DELETE FROM sessions WHERE token_hash = $1",
                     Params().Bytes(token_hash));
  }

  Result<int64_t> DeleteUserSessions(const std::string& username,
                                     const std::string& keep) override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    VIGIL_ASSIGN_OR_RETURN(
        Rows rows, conn->Query("DELETE FROM sessions WHERE username = $1 AND token_hash <> $2",
                               Params().Text(username).Bytes(keep)));
    return rows.affected();
  }

  Status RequestUnlock(const std::string& username, const std::string& by,
                       int64_t now_ms) override {
    return RunPooled(pool_,
                     "INSERT INTO login_unlocks (username, requested_by, created_ms)"
                     " VALUES ($1, $2, $3)",
                     Params().Text(username).Text(by).Int(now_ms));
  }

  Result<std::vector<std::pair<int64_t, std::string>>> UnlocksAfter(int64_t after) override {
    return ReadRows(pool_, "SELECT id, username FROM login_unlocks WHERE id > $1 ORDER BY id",
                    Params().Int(after),
                    [](const Rows& r, int i) { return std::pair(r.Int(i, 0), r.Text(i, 1)); });
  }

  Status AddCareTeamMember(const std::string& patient_id, const std::string& username) override {
    return ExplainCareTeamInsert(
        RunPooled(pool_, "INSERT INTO care_team (patient_id, username) VALUES ($1, $2)",
                  Params().Text(patient_id).Text(username)),
        patient_id, username);
  }

  Status RemoveCareTeamMember(const std::string& patient_id, const std::string& username) override {
    return ChangePooled(pool_, "DELETE FROM care_team WHERE patient_id = $1 AND username = $2",
                        Params().Text(patient_id).Text(username),
                        username + " is not on " + patient_id + "'s care team");
  }

  Result<bool> IsOnCareTeam(const std::string& patient_id, const std::string& username) override {
    VIGIL_ASSIGN_OR_RETURN(
        auto found,
        FindRow(pool_, "SELECT 1 FROM care_team WHERE patient_id = $1 AND username = $2",
                Params().Text(patient_id).Text(username), [](const Rows&, int) { return true; }));
    return found.has_value();
  }

  Result<std::vector<std::string>> CareTeam(const std::string& patient_id) override {
    return ReadRows(pool_, "SELECT username FROM care_team WHERE patient_id = $1 ORDER BY username",
                    Params().Text(patient_id), ReadText);
  }

  Status HoldAccount(const std::string& username, const std::string& reason,
                     int64_t since_ms) override {
    return RunPooled(pool_,
                     "INSERT INTO account_holds (username, reason, since_ms) VALUES ($1, $2, $3)"
                     " ON CONFLICT (username) DO NOTHING",
                     Params().Text(username).Text(reason).Int(since_ms));
  }

  Result<std::optional<std::string>> AccountHold(const std::string& username) override {
    return FindRow(pool_, "SELECT reason FROM account_holds WHERE username = $1",
                   Params().Text(username), ReadText);
  }

  Result<bool> ReleaseAccount(const std::string& username) override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    VIGIL_ASSIGN_OR_RETURN(
        Rows released,
        conn->Query("DELETE FROM account_holds WHERE username = $1", Params().Text(username)));
    return released.affected() > 0;
  }

  Result<std::vector<std::string>> PatientsCaredForBy(const std::string& username) override {
    return ReadRows(pool_,
                    "SELECT patient_id FROM care_team WHERE username = $1 ORDER BY patient_id",
                    Params().Text(username), ReadText);
  }

  Result<std::optional<std::string>> FindConsent(const std::string& patient_id) override {
    return FindRow(pool_, "SELECT directive FROM consents WHERE patient_id = $1",
                   Params().Text(patient_id), ReadText);
  }

  Status PutConsent(const std::string& patient_id, const std::string& encoded,
                    int64_t updated_ms) override {
    return RunPooled(pool_,
                     "INSERT INTO consents (patient_id, directive, updated_ms) VALUES ($1, $2, $3)"
                     " ON CONFLICT (patient_id) DO UPDATE SET directive = excluded.directive,"
                     " updated_ms = excluded.updated_ms",
                     Params().Text(patient_id).Text(encoded).Int(updated_ms));
  }

  Result<int64_t> InsertReview(const ReviewRecord& r) override {
    return InsertedId(
        FindRow(pool_,
                "INSERT INTO reviews (username, patient_id, reason, resource, created_ms)"
                " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                Params()
                    .Text(r.username)
                    .Text(r.patient_id)
                    .Text(r.reason)
                    .Text(r.resource)
                    .Int(r.created_ms),
                [](const Rows& rows, int i) { return rows.Int(i, 0); }));
  }

  Result<std::vector<ReviewRecord>> ListReviews(bool open_only) override {
    return ReadRows(pool_,
                    std::string("SELECT id, username, patient_id, reason, resource, created_ms,"
                                " open FROM reviews") +
                        (open_only ? " WHERE open" : "") + " ORDER BY id",
                    {}, [](const Rows& r, int i) {
                      return ReviewRecord{r.Int(i, 0),  r.Text(i, 1), r.Text(i, 2),    r.Text(i, 3),
                                          r.Text(i, 4), r.Int(i, 5),  r.Int(i, 6) != 0};
                    });
  }

  Result<std::optional<ReviewRecord>> CloseReview(int64_t id) override {
    return FindRow(pool_,
                   "UPDATE reviews SET open = false WHERE id = $1 AND open RETURNING id, username,"
                   " patient_id, reason, resource, created_ms",
                   Params().Int(id), [](const Rows& r, int i) {
                     return ReviewRecord{r.Int(i, 0),  r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
                                         r.Text(i, 4), r.Int(i, 5),  false};
                   });
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<AccessStore> MakePgAccessStore(Pool& pool) {
  return std::make_unique<PgAccessStore>(pool);
}

}  // namespace vigil::store::pg
