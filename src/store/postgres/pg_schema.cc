#include "store/postgres/pg_schema.h"

#include <string>

namespace vigil::store::pg {
namespace {

// Every integer is BIGINT (the rows are read in binary as int8); every text is compared
// byte by byte (COLLATE "C"), so that orders match the SQLite store's whatever the
// database's locale. Readings: no foreign keys on
// receipts and Observations (the commit checks each message's device once, as the SQLite store
// does). The ledger's append order is kept by one row, ledger_head, that every appending
// transaction updates from the size it read: concurrent appenders (other hubs) queue on its
// lock, and all but the first find the size changed.
constexpr std::string_view kTables = R"sql(
CREATE TABLE vigil_schema (version BIGINT NOT NULL);
CREATE TABLE patients (
  id TEXT COLLATE "C" PRIMARY KEY,
  sealed_demographics BYTEA NOT NULL,
  created_ms BIGINT NOT NULL);
CREATE TABLE patient_keys (
  patient_id TEXT COLLATE "C" PRIMARY KEY REFERENCES patients(id),
  wrapped_key BYTEA NOT NULL);
CREATE TABLE devices (
  id TEXT COLLATE "C" PRIMARY KEY,
  patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
  type TEXT COLLATE "C" NOT NULL,
  cert_serial TEXT COLLATE "C" NOT NULL,
  cert_fingerprint TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('active', 'revoked')),
  enrolled_ms BIGINT NOT NULL,
  last_seq BIGINT NOT NULL DEFAULT 0,
  max_skew_ms BIGINT NOT NULL DEFAULT 0);
CREATE TABLE device_quarantine (
  device_id TEXT COLLATE "C" PRIMARY KEY REFERENCES devices(id),
  reason TEXT COLLATE "C" NOT NULL,
  since_ms BIGINT NOT NULL);
CREATE TABLE reading_receipts (
  device_id TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  payload_digest BYTEA NOT NULL,
  received_ms BIGINT NOT NULL,
  ledger_index BIGINT,
  PRIMARY KEY (device_id, seq));
CREATE INDEX receipts_by_ledger ON reading_receipts (ledger_index, device_id, seq);
CREATE TABLE observations (
  row_no BIGINT GENERATED ALWAYS AS IDENTITY,
  id TEXT COLLATE "C" NOT NULL,
  patient_id TEXT COLLATE "C" NOT NULL,
  device_id TEXT COLLATE "C" NOT NULL,
  code TEXT COLLATE "C" NOT NULL,
  effective_ms BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  sealed BYTEA NOT NULL,
  ledger_index BIGINT);
CREATE INDEX observations_by_patient ON observations (patient_id, effective_ms, id);
CREATE INDEX observations_by_ledger ON observations (ledger_index, id);
CREATE TABLE ledger_head (
  one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
  size BIGINT NOT NULL);
INSERT INTO ledger_head (size) VALUES (0);
CREATE TABLE ledger_entries (
  idx BIGINT PRIMARY KEY,
  entry BYTEA NOT NULL);
CREATE TABLE ledger_nodes (
  slot BIGINT PRIMARY KEY,
  hash BYTEA NOT NULL);
CREATE TABLE ledger_subjects (
  subject TEXT COLLATE "C" NOT NULL,
  idx BIGINT NOT NULL,
  PRIMARY KEY (subject, idx));
CREATE TABLE ledger_checkpoints (
  size BIGINT PRIMARY KEY,
  note TEXT COLLATE "C" NOT NULL,
  created_ms BIGINT NOT NULL);
CREATE TABLE users (
  username TEXT COLLATE "C" PRIMARY KEY,
  role TEXT COLLATE "C" NOT NULL,
  patient_id TEXT COLLATE "C" REFERENCES patients(id),
  password_hash TEXT COLLATE "C" NOT NULL,
  must_change_password BOOLEAN NOT NULL,
  sealed_totp_secret BYTEA NOT NULL,
  last_totp_step BIGINT NOT NULL DEFAULT 0,
  created_ms BIGINT NOT NULL);
CREATE TABLE sessions (
  token_hash BYTEA PRIMARY KEY,
  username TEXT COLLATE "C" NOT NULL REFERENCES users(username),
  created_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  address TEXT COLLATE "C" NOT NULL);
CREATE INDEX sessions_by_user ON sessions (username);
CREATE TABLE care_team (
  patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
  username TEXT COLLATE "C" NOT NULL REFERENCES users(username),
  PRIMARY KEY (patient_id, username));
CREATE TABLE consents (
  patient_id TEXT COLLATE "C" PRIMARY KEY REFERENCES patients(id),
  directive TEXT COLLATE "C" NOT NULL,
  updated_ms BIGINT NOT NULL);
CREATE TABLE reviews (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username TEXT COLLATE "C" NOT NULL,
  patient_id TEXT COLLATE "C" NOT NULL,
  reason TEXT COLLATE "C" NOT NULL,
  resource TEXT COLLATE "C" NOT NULL,
  created_ms BIGINT NOT NULL,
  open BOOLEAN NOT NULL DEFAULT true);
CREATE TABLE login_unlocks (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username TEXT COLLATE "C" NOT NULL,
  requested_by TEXT COLLATE "C" NOT NULL,
  created_ms BIGINT NOT NULL);
CREATE TABLE alerts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT COLLATE "C" NOT NULL,
  severity TEXT COLLATE "C" NOT NULL,
  entity TEXT COLLATE "C" NOT NULL,
  technique TEXT COLLATE "C" NOT NULL,
  summary TEXT COLLATE "C" NOT NULL,
  evidence TEXT COLLATE "C" NOT NULL,
  first_ms BIGINT NOT NULL,
  last_ms BIGINT NOT NULL,
  count BIGINT NOT NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  note TEXT COLLATE "C" NOT NULL DEFAULT '',
  incident_id BIGINT NOT NULL DEFAULT 0);
CREATE INDEX alerts_by_status ON alerts (status, id);
CREATE INDEX alerts_by_incident ON alerts (incident_id, id);
CREATE TABLE incidents (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title TEXT COLLATE "C" NOT NULL,
  severity TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'closed')),
  first_ms BIGINT NOT NULL,
  last_ms BIGINT NOT NULL,
  entities TEXT COLLATE "C" NOT NULL,
  note TEXT COLLATE "C" NOT NULL DEFAULT '');
CREATE INDEX incidents_by_status ON incidents (status, id);
CREATE TABLE incident_events (
  row_no BIGINT GENERATED ALWAYS AS IDENTITY,
  incident_id BIGINT NOT NULL,
  time_ms BIGINT NOT NULL,
  what TEXT COLLATE "C" NOT NULL,
  detail TEXT COLLATE "C" NOT NULL,
  alert_id BIGINT NOT NULL DEFAULT 0);
CREATE INDEX incident_events_by_incident ON incident_events (incident_id, time_ms);
)sql";

// Version 2: peer addresses blocked from signing in, for every hub; the care team by member;
// devices restricted to sending vital signs; notices of monitoring stopped by containment;
// accounts held by containment.
constexpr std::string_view kAddressBlocks = R"sql(
CREATE TABLE address_blocks (
  address TEXT COLLATE "C" PRIMARY KEY,
  since_ms BIGINT NOT NULL,
  until_ms BIGINT NOT NULL,
  reason TEXT COLLATE "C" NOT NULL);
CREATE INDEX care_team_by_member ON care_team (username, patient_id);
CREATE TABLE device_vitals_only (
  device_id TEXT COLLATE "C" PRIMARY KEY REFERENCES devices(id),
  reason TEXT COLLATE "C" NOT NULL,
  since_ms BIGINT NOT NULL);
CREATE TABLE monitoring_notices (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id TEXT COLLATE "C" NOT NULL,
  device_id TEXT COLLATE "C" NOT NULL,
  text TEXT COLLATE "C" NOT NULL,
  since_ms BIGINT NOT NULL,
  until_ms BIGINT NOT NULL DEFAULT 0);
CREATE INDEX monitoring_notices_by_patient ON monitoring_notices (patient_id, id);
CREATE TABLE account_holds (
  username TEXT COLLATE "C" PRIMARY KEY,
  reason TEXT COLLATE "C" NOT NULL,
  since_ms BIGINT NOT NULL);
)sql";

// Version 3: messages whose Observations the hub doubts (store::SuspectReading); detection's
// learned state.
constexpr std::string_view kSuspectReadings = R"sql(
CREATE TABLE suspect_readings (
  device_id TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  patient_id TEXT COLLATE "C" NOT NULL,
  reason TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (device_id, seq));
CREATE INDEX suspect_readings_by_patient ON suspect_readings (patient_id);
CREATE TABLE detection_state (
  name TEXT COLLATE "C" PRIMARY KEY,
  state BYTEA NOT NULL,
  saved_ms BIGINT NOT NULL);
)sql";

// Version 4: when hubs last heard from each device and its certificate's end; the `vigil verify`
// runs that passed.
constexpr std::string_view kHubStatus = R"sql(
CREATE TABLE device_activity (
  device_id TEXT COLLATE "C" PRIMARY KEY,
  last_seen_ms BIGINT NOT NULL,
  cert_not_after_ms BIGINT NOT NULL);
CREATE TABLE integrity_checks (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  checked_ms BIGINT NOT NULL,
  ledger_size BIGINT NOT NULL,
  root_hex TEXT COLLATE "C" NOT NULL,
  checked_by TEXT COLLATE "C" NOT NULL);
)sql";

// Version 5: patients' legal holds and restrictions, and erasures (store/privacy_store.h).
constexpr std::string_view kPrivacy = R"sql(
CREATE TABLE patient_flags (
  patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
  flag TEXT COLLATE "C" NOT NULL CHECK (flag IN ('legal-hold', 'restricted')),
  reason TEXT NOT NULL,
  set_by TEXT COLLATE "C" NOT NULL,
  since_ms BIGINT NOT NULL,
  PRIMARY KEY (patient_id, flag));
CREATE TABLE patient_erasures (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id TEXT COLLATE "C" NOT NULL UNIQUE,
  erased_by TEXT COLLATE "C" NOT NULL,
  erased_ms BIGINT NOT NULL,
  devices TEXT COLLATE "C" NOT NULL,
  readings BIGINT NOT NULL);
)sql";

Result<int64_t> SchemaVersion(Connection& conn) {
  VIGIL_ASSIGN_OR_RETURN(Rows version, conn.Query("SELECT version FROM vigil_schema"));
  return version.size() == 1 ? version.Int(0, 0) : -1;
}

constexpr std::string_view kFindSchema =
    "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND"
    " tablename = 'vigil_schema'";

}  // namespace

Status CreateSchema(Connection& conn) {
  return conn.Transaction([&]() -> Status {
    // One creator at a time: two `vigil init` racing on one database cannot both succeed.
    VIGIL_RETURN_IF_ERROR(conn.Exec("SELECT pg_advisory_xact_lock(7100001)"));
    VIGIL_ASSIGN_OR_RETURN(Rows found, conn.Query(std::string(kFindSchema)));
    if (found.Int(0, 0) != 0) {
      return Status::AlreadyExists(
          "the database holds a hub already; refusing to overwrite it (give `vigil init "
          "--store` an empty database)");
    }
    VIGIL_RETURN_IF_ERROR(conn.Exec(kTables));
    VIGIL_RETURN_IF_ERROR(conn.Exec(kAddressBlocks));
    VIGIL_RETURN_IF_ERROR(conn.Exec(kSuspectReadings));
    VIGIL_RETURN_IF_ERROR(conn.Exec(kHubStatus));
    VIGIL_RETURN_IF_ERROR(conn.Exec(kPrivacy));
    return conn.Exec("INSERT INTO vigil_schema (version) VALUES (" +
                     std::to_string(kSchemaVersion) + ")");
  });
}

Status CheckSchema(Connection& conn, const std::string& where) {
  VIGIL_ASSIGN_OR_RETURN(Rows found, conn.Query(std::string(kFindSchema)));
  if (found.Int(0, 0) == 0) {
    return Status::NotFound("no hub in the database " + where + " (run `vigil init --store " +
                            where + "` first)");
  }
  VIGIL_ASSIGN_OR_RETURN(int64_t v, SchemaVersion(conn));
  if (v != kSchemaVersion) {
    return Status::FailedPrecondition("the database " + where + " has schema version " +
                                      std::to_string(v) + ", not one this vigil reads (" +
                                      std::to_string(kSchemaVersion) + ")");
  }
  return Status::Ok();
}

Status MigrateSchema(Connection& conn) {
  VIGIL_ASSIGN_OR_RETURN(Rows found, conn.Query(std::string(kFindSchema)));
  if (found.Int(0, 0) == 0) return Status::Ok();  // no hub: CheckSchema says so
  VIGIL_ASSIGN_OR_RETURN(int64_t before, SchemaVersion(conn));
  if (before < 1 || before >= kSchemaVersion) return Status::Ok();
  return conn.Transaction([&]() -> Status {
    // Several hubs may start on an older database at once: one migrates, the others find it done.
    VIGIL_RETURN_IF_ERROR(conn.Exec("SELECT pg_advisory_xact_lock(7100001)"));
    VIGIL_ASSIGN_OR_RETURN(int64_t v, SchemaVersion(conn));
    if (v < 2) VIGIL_RETURN_IF_ERROR(conn.Exec(kAddressBlocks));
    if (v < 3) VIGIL_RETURN_IF_ERROR(conn.Exec(kSuspectReadings));
    if (v < 4) VIGIL_RETURN_IF_ERROR(conn.Exec(kHubStatus));
    if (v < 5) VIGIL_RETURN_IF_ERROR(conn.Exec(kPrivacy));
    if (v >= kSchemaVersion) return Status::Ok();
    return conn.Exec("UPDATE vigil_schema SET version = " + std::to_string(kSchemaVersion));
  });
}

}  // namespace vigil::store::pg
