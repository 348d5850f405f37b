// The `vigil` subcommands. Each returns a Status; main() turns it into a message and exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace CLI {
class App;
}

namespace vigil::cli {

// Registers `vigil user ...` and `vigil careteam ...` (cmd_users.cc); their outcome goes to
// `status`.
void AddUserCommands(CLI::App& app, Status& status);
// Registers `vigil alerts ...` (cmd_alerts.cc).
void AddAlertCommands(CLI::App& app, Status& status);
// Registers `vigil incidents ...` (cmd_incidents.cc).
void AddIncidentCommands(CLI::App& app, Status& status);
// Registers `vigil address ...` (cmd_addresses.cc).
void AddAddressCommands(CLI::App& app, Status& status);

struct InitOptions {
  std::string data_dir;
  std::vector<std::string> hostnames = {"localhost", "127.0.0.1"};
  std::string hub_name = "vigil";
  bool config_only = false;  // write a default config.toml into an existing hub that lost it
  std::string store_url;     // "" : the embedded SQLite store; else a PostgreSQL URL
};
Status RunInit(const InitOptions& options);

struct PatientAddOptions {
  std::string data_dir, id, name, birth_date;
};
Status RunPatientAdd(const PatientAddOptions& options);
Status RunPatientList(const std::string& data_dir);
// `vigil patient export`: the patient's data as FHIR NDJSON files and a manifest in a new
// directory (cmd_export.cc); `since` an RFC 3339 instant: only what changed since.
struct PatientExportOptions {
  std::string data_dir, id, out_dir, since;
};
Status RunPatientExport(const PatientExportOptions& options);
// `vigil research export`: consenting patients' data de-identified (Safe Harbor) as NDJSON
// files, a manifest and report.json in a new directory (cmd_export.cc).
Status RunResearchExport(const std::string& data_dir, const std::string& out_dir);
// `vigil patient erase`, `hold`, `restrict` (cmd_privacy.cc): data-protection requests.
struct PatientPrivacyOptions {
  std::string data_dir, id, reason;
  bool yes = false;   // erase: no confirmation asked
  bool lift = false;  // hold, restrict: lift instead of set
};
Status RunPatientErase(const PatientPrivacyOptions& options);
Status RunPatientFlag(const PatientPrivacyOptions& options, bool restriction);
// `vigil keys rotate-master` (cmd_privacy.cc): a new master key, every data key rewrapped.
Status RunRotateMasterKey(const std::string& data_dir);

struct DeviceEnrollOptions {
  std::string data_dir, id, patient_id, type;
  std::string out_dir;   // where <id>.crt and ca.crt (and <id>.key) go; default ./<id>
  std::string csr_path;  // sign this CSR, so the key never leaves the device; else a key is made
  int days = 825;
};
Status RunDeviceEnroll(const DeviceEnrollOptions& options);
Status RunDeviceRevoke(const std::string& data_dir, const std::string& id);
// Lets a device a containment playbook quarantined connect again.
Status RunDeviceRelease(const std::string& data_dir, const std::string& id);
Status RunDeviceList(const std::string& data_dir);

// Prints a FHIR R4 searchset Bundle of the patient's Observations, decrypted.
Status RunObservations(const std::string& data_dir, const std::string& patient_id,
                       const std::string& code);

// The audit ledger: full verification, a checkpoint now, proofs as JSON (0: latest checkpoint).
// `vigil verify`; each of `checkpoint_files` (a signed note or a checkpoint log kept off the
// hub) must be held by the store.
// Each of `checkpoint_urls` (fetched over http(s); `cafile` verifies an https server) likewise.
struct VerifyOptions {
  std::string data_dir;
  std::vector<std::string> checkpoint_files;
  std::vector<std::string> checkpoint_urls;
  std::string cafile;
};
Status RunVerify(const VerifyOptions& options);
// `vigil recover`: reports (and with `accept_loss` records) what a database that came back
// behind the hub's last signed checkpoint lost.
Status RunRecover(const std::string& data_dir, bool accept_loss);
Status RunLedgerCheckpoint(const std::string& data_dir);
Status RunLedgerProve(const std::string& data_dir, uint64_t index, uint64_t size);
Status RunLedgerConsistency(const std::string& data_dir, uint64_t old_size, uint64_t new_size);
// Entries [from, to) as JSON lines (to 0: the end).
Status RunLedgerShow(const std::string& data_dir, uint64_t from, uint64_t to);
Status RunLedgerExport(const std::string& data_dir, const std::string& out_dir);

struct ServeCommandOptions {
  std::string data_dir;
  std::string bind;    // empty: from config
  int mqtt_port = -1;  // -1: from config; 0: any free port
  int https_port = -1;
  std::string ready_file;  // JSON with the bound ports, written once listening
};
Status RunServe(const ServeCommandOptions& options);

// `vigil witness`: a C2SP tlog-witness for the logs whose verifier keys are given, keeping its
// key and state in `dir`, until SIGTERM.
struct WitnessCommandOptions {
  std::string dir;
  std::string name;
  std::string bind = "127.0.0.1";
  int port = 0;
  std::vector<std::string> log_keys;
  std::string ready_file;  // JSON with the bound port and the witness's key
};
Status RunWitness(const WitnessCommandOptions& options);

}  // namespace vigil::cli
