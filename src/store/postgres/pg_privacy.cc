// Patients' flags (legal hold, restriction) and erasures in PostgreSQL.
#include <algorithm>
#include <string>

#include "store/alert_store.h"
#include "store/postgres/pg_parts.h"

namespace vigil::store::pg {
namespace {

const std::string kFlagColumns =
    "SELECT patient_id, flag, reason, set_by, since_ms FROM patient_flags";
const std::string kErasureColumns =
    "SELECT seq, patient_id, erased_by, erased_ms, devices, readings FROM patient_erasures";

PatientFlagRecord ReadFlag(const Rows& r, int i) {
  return {r.Text(i, 0), ParsePatientFlag(r.View(i, 1)).value_or(PatientFlag::kLegalHold),
          r.Text(i, 2), r.Text(i, 3), r.Int(i, 4)};
}

ErasureRecord ReadErasure(const Rows& r, int i) {
  return {r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3), SplitEntities(r.View(i, 4)),
          r.Int(i, 5), std::string()};
}

// PostgreSQL keeps a deleted row's bytes until its page is rewritten, and its own write-ahead
// log (and any archive or replica of it) keeps the insert: VACUUM FULL rewrites the small
// keys table at once; the log is recycled by the server's checkpoints.
constexpr std::string_view kPostgresResidue =
    "PostgreSQL's write-ahead log (and any WAL archive or base backup) keeps the wrapped key "
    "until those segments are recycled or expire; the master key is still needed to open it";

class PgPrivacyStore final : public PrivacyStore {
 public:
  explicit PgPrivacyStore(Pool& pool) : pool_(pool) {}

  Status PutFlag(const PatientFlagRecord& f) override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    return conn->Transaction([&]() -> Status {
      VIGIL_ASSIGN_OR_RETURN(Rows erased, conn->Query("SELECT 1 FROM patient_erasures WHERE"
                                                      " patient_id = $1",
                                                      Params().Text(f.patient_id)));
      if (erased.size() > 0) {
        return Status::FailedPrecondition("Patient/" + f.patient_id + " was erased");
      }
      const Status s = conn->Run(
          "INSERT INTO patient_flags (patient_id, flag, reason, set_by, since_ms)"
          " VALUES ($1, $2, $3, $4, $5)",
          Params()
              .Text(f.patient_id)
              .Text(PatientFlagName(f.flag))
              .Text(f.reason)
              .Text(f.by)
              .Int(f.since_ms));
      return ExplainFlagInsert(s, f);
    });
  }

  Status RemoveFlag(const std::string& patient_id, PatientFlag flag) override {
    return ChangePooled(pool_, "DELETE FROM patient_flags WHERE patient_id = $1 AND flag = $2",
                        Params().Text(patient_id).Text(PatientFlagName(flag)),
                        "Patient/" + patient_id + " is not " + std::string(PatientFlagName(flag)));
  }

  Result<std::vector<PatientFlagRecord>> Flags(const std::string& patient_id) override {
    return ReadRows(pool_, kFlagColumns + " WHERE patient_id = $1 ORDER BY flag",
                    Params().Text(patient_id), ReadFlag);
  }

  Result<ErasureRecord> Erase(const std::string& patient_id, const std::string& by,
                              int64_t erased_ms) override {
    ErasureRecord erasure{0, patient_id, by, erased_ms, {}, 0, std::string(kPostgresResidue)};
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    VIGIL_RETURN_IF_ERROR(conn->Transaction([&] { return EraseIn(*conn, erasure); }));
    (void)conn->Exec("VACUUM FULL patient_keys");  // best effort: the rows are gone either way
    return erasure;
  }

  Result<std::optional<ErasureRecord>> FindErasure(const std::string& patient_id) override {
    return FindRow(pool_, kErasureColumns + " WHERE patient_id = $1", Params().Text(patient_id),
                   ReadErasure);
  }

  Result<std::vector<ErasureRecord>> ErasuresAfter(int64_t seq) override {
    return ReadRows(pool_, kErasureColumns + " WHERE seq > $1 ORDER BY seq", Params().Int(seq),
                    ReadErasure);
  }

 private:
  static Status EraseIn(Connection& conn, ErasureRecord& erasure) {
    const std::string& id = erasure.patient_id;
    // The patient's row locked first: two erasures (or an erasure and a new hold) queue.
    VIGIL_ASSIGN_OR_RETURN(Rows found, conn.Query("SELECT 1 FROM patients WHERE id = $1 FOR UPDATE",
                                                  Params().Text(id)));
    if (found.size() == 0) return Status::NotFound("no Patient/" + id);
    VIGIL_ASSIGN_OR_RETURN(
        Rows erased,
        conn.Query("SELECT 1 FROM patient_erasures WHERE patient_id = $1", Params().Text(id)));
    if (erased.size() > 0) return Status::FailedPrecondition("Patient/" + id + " was erased");
    VIGIL_ASSIGN_OR_RETURN(
        Rows hold, conn.Query("SELECT reason, set_by FROM patient_flags WHERE patient_id = $1"
                              " AND flag = 'legal-hold'",
                              Params().Text(id)));
    if (hold.size() > 0) {
      return Status::FailedPrecondition("Patient/" + id + " is under a legal hold (" +
                                        hold.Text(0, 0) + ", placed by " + hold.Text(0, 1) +
                                        "): lift it before erasing");
    }
    VIGIL_ASSIGN_OR_RETURN(Rows devices,
                           conn.Query("UPDATE devices SET status = 'revoked' WHERE patient_id = $1"
                                      " AND status = 'active' RETURNING id",
                                      Params().Text(id)));
    for (int i = 0; i < devices.size(); ++i) erasure.devices_revoked.push_back(devices.Text(i, 0));
    std::sort(erasure.devices_revoked.begin(), erasure.devices_revoked.end());
    VIGIL_ASSIGN_OR_RETURN(
        Rows count,
        conn.Query("SELECT count(*) FROM observations WHERE patient_id = $1", Params().Text(id)));
    erasure.readings = count.Int(0, 0);
    for (const char* sql : {"DELETE FROM patient_keys WHERE patient_id = $1",
                            "UPDATE patients SET sealed_demographics = '' WHERE id = $1",
                            "DELETE FROM care_team WHERE patient_id = $1",
                            "DELETE FROM consents WHERE patient_id = $1"}) {
      VIGIL_RETURN_IF_ERROR(conn.Run(sql, Params().Text(id)));
    }
    VIGIL_ASSIGN_OR_RETURN(
        Rows seq, conn.Query("INSERT INTO patient_erasures (patient_id, erased_by, erased_ms,"
                             " devices, readings) VALUES ($1, $2, $3, $4, $5) RETURNING seq",
                             Params()
                                 .Text(id)
                                 .Text(erasure.by)
                                 .Int(erasure.erased_ms)
                                 .Text(JoinEntities(erasure.devices_revoked))
                                 .Int(erasure.readings)));
    erasure.seq = seq.Int(0, 0);
    return Status::Ok();
  }

  Pool& pool_;
};

}  // namespace

Result<std::pair<int64_t, int64_t>> RewrapSecrets(Pool& pool, const Store::Rewrap& rewrap) {
  std::pair<int64_t, int64_t> counts{0, 0};
  const struct {
    const char* select;
    const char* update;
    std::string_view kind;
    int64_t* count;
  } tables[] = {
      {"SELECT patient_id, wrapped_key FROM patient_keys FOR UPDATE",
       "UPDATE patient_keys SET wrapped_key = $1 WHERE patient_id = $2", "patient", &counts.first},
      {"SELECT username, sealed_totp_secret FROM users WHERE length(sealed_totp_secret) > 0"
       " FOR UPDATE",
       "UPDATE users SET sealed_totp_secret = $1 WHERE username = $2", "user", &counts.second}};
  VIGIL_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  VIGIL_RETURN_IF_ERROR(conn->Transaction([&]() -> Status {
    for (const auto& t : tables) {
      VIGIL_ASSIGN_OR_RETURN(Rows rows, conn->Query(t.select));
      for (int i = 0; i < rows.size(); ++i) {
        VIGIL_ASSIGN_OR_RETURN(std::string rewrapped,
                               rewrap(t.kind, rows.Text(i, 0), rows.Text(i, 1)));
        VIGIL_RETURN_IF_ERROR(conn->Run(t.update, Params().Bytes(rewrapped).Text(rows.Text(i, 0))));
        ++*t.count;
      }
    }
    return Status::Ok();
  }));
  return counts;
}

std::unique_ptr<PrivacyStore> MakePgPrivacyStore(Pool& pool) {
  return std::make_unique<PgPrivacyStore>(pool);
}

}  // namespace vigil::store::pg
