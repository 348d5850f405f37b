// The `vigil` command: parses the command line (CLI11) and runs one subcommand.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "sim/attacks.h"
#include "sim/sim_runner.h"

namespace {

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("vigil");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
}

}  // namespace

int main(int argc, char** argv) {
  ::umask(077);  // every file the hub makes is private unless it says otherwise
  CLI::App app{"Vigil: a security-first hub for Internet-of-Medical-Things data"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  vigil::Status status;

  vigil::cli::InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "Create a hub data directory");
  init_cmd->add_option("--data-dir", init.data_dir, "Directory to create")->required();
  init_cmd->add_option("--hostname", init.hostnames,
                       "Names and addresses for the server certificate (repeatable)");
  init_cmd->add_option("--name", init.hub_name, "The hub's name");
  init_cmd->add_option("--store", init.store_url,
                       "Keep the hub's data in this empty PostgreSQL database "
                       "(postgresql://user@host:port/db; default: the embedded store)");
  init_cmd->add_flag("--config-only", init.config_only,
                     "Write a default config.toml into an existing hub that lost its own "
                     "(named as ledger.vkey names it)");
  init_cmd->callback([&] { status = vigil::cli::RunInit(init); });

  auto* patient = app.add_subcommand("patient", "Manage patients")->require_subcommand(1);
  vigil::cli::PatientAddOptions padd;
  auto* padd_cmd = patient->add_subcommand("add", "Add a patient");
  padd_cmd->add_option("--data-dir", padd.data_dir)->required();
  padd_cmd->add_option("--id", padd.id, "Patient id")->required();
  padd_cmd->add_option("--name", padd.name, "Full name (stored encrypted)")->required();
  padd_cmd->add_option("--birth-date", padd.birth_date, "YYYY-MM-DD (stored encrypted)")
      ->required();
  padd_cmd->callback([&] { status = vigil::cli::RunPatientAdd(padd); });
  std::string plist_dir;
  auto* plist_cmd = patient->add_subcommand("list", "List patients");
  plist_cmd->add_option("--data-dir", plist_dir)->required();
  plist_cmd->callback([&] { status = vigil::cli::RunPatientList(plist_dir); });
  vigil::cli::PatientExportOptions pexport;
  auto* pexport_cmd = patient->add_subcommand(
      "export", "Write a patient's data as FHIR NDJSON files and a manifest (portability)");
  pexport_cmd->add_option("--data-dir", pexport.data_dir)->required();
  pexport_cmd->add_option("--id", pexport.id, "Patient id")->required();
  pexport_cmd->add_option("--out", pexport.out_dir, "A new directory for the files")->required();
  pexport_cmd->add_option(
      "--since", pexport.since,
      "Only what changed since this instant (RFC 3339, e.g. 2026-12-07T09:00:00Z)");
  pexport_cmd->callback([&] { status = vigil::cli::RunPatientExport(pexport); });
  vigil::cli::PatientPrivacyOptions privacy;
  auto* erase_cmd = patient->add_subcommand(
      "erase", "Erase a patient for good by destroying their data key (GDPR Art. 17)");
  auto* hold_cmd = patient->add_subcommand(
      "hold", "Place a legal hold on a patient's record (erasure is refused), or --lift it");
  auto* restrict_cmd = patient->add_subcommand(
      "restrict", "Restrict processing of a patient's data (GDPR Art. 18), or --lift it");
  for (auto* cmd : {erase_cmd, hold_cmd, restrict_cmd}) {
    cmd->add_option("--data-dir", privacy.data_dir)->required();
    cmd->add_option("--id", privacy.id, "Patient id")->required();
    cmd->add_option("--reason", privacy.reason,
                    "The request's reference, recorded in the ledger (a ticket, not a name)")
        ->required();
  }
  erase_cmd->add_flag("--yes", privacy.yes, "Do not ask for confirmation");
  hold_cmd->add_flag("--lift", privacy.lift, "Lift the hold");
  restrict_cmd->add_flag("--lift", privacy.lift, "Lift the restriction");
  erase_cmd->callback([&] { status = vigil::cli::RunPatientErase(privacy); });
  hold_cmd->callback([&] { status = vigil::cli::RunPatientFlag(privacy, false); });
  restrict_cmd->callback([&] { status = vigil::cli::RunPatientFlag(privacy, true); });

  auto* research =
      app.add_subcommand("research", "De-identified data for research")->require_subcommand(1);
  std::string research_dir, research_out;
  bool consented_only = true;
  auto* research_cmd = research->add_subcommand(
      "export", "Consenting patients' data, de-identified (HIPAA Safe Harbor), as FHIR NDJSON");
  research_cmd->add_option("--data-dir", research_dir)->required();
  research_cmd->add_option("--out", research_out, "A new directory for the files")->required();
  research_cmd->add_flag("--consented-only", consented_only,
                         "Only patients whose consent permits research (always so; for clarity)");
  research_cmd->callback(
      [&] { status = vigil::cli::RunResearchExport(research_dir, research_out); });

  auto* keys = app.add_subcommand("keys", "The hub's keys")->require_subcommand(1);
  std::string keys_dir;
  auto* rotate_cmd = keys->add_subcommand(
      "rotate-master", "Replace the master key, rewrapping every data key (the hub may run)");
  rotate_cmd->add_option("--data-dir", keys_dir)->required();
  rotate_cmd->callback([&] { status = vigil::cli::RunRotateMasterKey(keys_dir); });

  auto* device = app.add_subcommand("device", "Manage devices")->require_subcommand(1);
  vigil::cli::DeviceEnrollOptions enroll;
  auto* enroll_cmd = device->add_subcommand("enroll", "Enrol a device and issue its certificate");
  enroll_cmd->add_option("--data-dir", enroll.data_dir)->required();
  enroll_cmd->add_option("--id", enroll.id, "Device id (the certificate's CN)")->required();
  enroll_cmd->add_option("--patient", enroll.patient_id, "Patient the device measures")->required();
  enroll_cmd->add_option("--type", enroll.type, "Device type")->required();
  enroll_cmd->add_option("--out", enroll.out_dir, "Directory for the certificate files");
  enroll_cmd->add_option("--csr", enroll.csr_path, "Sign this PEM CSR instead of making a key");
  enroll_cmd->add_option("--days", enroll.days, "Certificate validity")->check(CLI::Range(1, 3650));
  enroll_cmd->callback([&] { status = vigil::cli::RunDeviceEnroll(enroll); });
  std::string revoke_dir, revoke_id;
  auto* revoke_cmd = device->add_subcommand("revoke", "Revoke a device");
  revoke_cmd->add_option("--data-dir", revoke_dir)->required();
  revoke_cmd->add_option("--id", revoke_id)->required();
  revoke_cmd->callback([&] { status = vigil::cli::RunDeviceRevoke(revoke_dir, revoke_id); });
  std::string release_dir, release_id;
  auto* release_cmd = device->add_subcommand("release", "Release a quarantined device");
  release_cmd->add_option("--data-dir", release_dir)->required();
  release_cmd->add_option("--id", release_id)->required();
  release_cmd->callback([&] { status = vigil::cli::RunDeviceRelease(release_dir, release_id); });
  std::string dlist_dir;
  auto* dlist_cmd = device->add_subcommand("list", "List devices");
  dlist_cmd->add_option("--data-dir", dlist_dir)->required();
  dlist_cmd->callback([&] { status = vigil::cli::RunDeviceList(dlist_dir); });

  std::string obs_dir, obs_patient, obs_code;
  auto* obs_cmd = app.add_subcommand("observations", "Print a patient's Observations (FHIR R4)");
  obs_cmd->add_option("--data-dir", obs_dir)->required();
  obs_cmd->add_option("--patient", obs_patient)->required();
  obs_cmd->add_option("--code", obs_code, "Only this LOINC code");
  obs_cmd->callback([&] { status = vigil::cli::RunObservations(obs_dir, obs_patient, obs_code); });

  vigil::cli::ServeCommandOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the hub");
  serve_cmd->add_option("--data-dir", serve.data_dir)->required();
  serve_cmd->add_option("--bind", serve.bind, "Address to listen on");
  serve_cmd->add_option("--mqtt-port", serve.mqtt_port, "MQTT over TLS port (0: any free)")
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--https-port", serve.https_port, "HTTPS port (0: any free)")
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--ready-file", serve.ready_file, "Write the bound ports here as JSON");
  serve_cmd->callback([&] { status = vigil::cli::RunServe(serve); });

  vigil::cli::VerifyOptions verify;
  auto* verify_cmd =
      app.add_subcommand("verify", "Verify the audit ledger and the stored readings");
  verify_cmd->add_option("--data-dir", verify.data_dir)->required();
  verify_cmd->add_option("--checkpoint", verify.checkpoint_files,
                         "A signed checkpoint, or a checkpoint log, kept off the hub (repeatable)");
  verify_cmd->add_option("--checkpoint-url", verify.checkpoint_urls,
                         "Where a signed checkpoint or checkpoint log is kept off the hub, "
                         "http(s):// (repeatable)");
  verify_cmd->add_option("--cafile", verify.cafile,
                         "The CA of the --checkpoint-url server's certificate (default: system)");
  verify_cmd->callback([&] { status = vigil::cli::RunVerify(verify); });

  vigil::cli::WitnessCommandOptions witness;
  auto* witness_cmd = app.add_subcommand(
      "witness", "Run a C2SP tlog-witness that cosigns only consistent growth of the given logs");
  witness_cmd->add_option("--dir", witness.dir, "Its key and state (made on first use)")
      ->required();
  witness_cmd->add_option("--name", witness.name, "Its name, e.g. witness.example.org/w1")
      ->required();
  witness_cmd->add_option("--bind", witness.bind, "Address to listen on");
  witness_cmd->add_option("--port", witness.port, "HTTP port (0: any free)")
      ->check(CLI::Range(0, 65535));
  witness_cmd
      ->add_option("--log", witness.log_keys,
                   "A log's verifier key (ledger.vkey), named after its origin; repeatable")
      ->required();
  witness_cmd->add_option("--ready-file", witness.ready_file,
                          "Write the bound port and the witness's key here as JSON");
  witness_cmd->callback([&] { status = vigil::cli::RunWitness(witness); });

  std::string recover_dir;
  bool accept_loss = false;
  auto* recover_cmd = app.add_subcommand(
      "recover", "Report what a database behind the hub's last signed checkpoint lost");
  recover_cmd->add_option("--data-dir", recover_dir)->required();
  recover_cmd->add_flag("--accept-loss", accept_loss,
                        "Record the loss in the ledger and sign the ledger as it stands");
  recover_cmd->callback([&] { status = vigil::cli::RunRecover(recover_dir, accept_loss); });

  auto* ledger = app.add_subcommand("ledger", "The audit ledger")->require_subcommand(1);
  std::string ledger_dir;
  uint64_t proof_index = 0, proof_size = 0, old_size = 0, new_size = 0;
  auto* cp_cmd = ledger->add_subcommand("checkpoint", "Sign and store a checkpoint now");
  cp_cmd->add_option("--data-dir", ledger_dir)->required();
  cp_cmd->callback([&] { status = vigil::cli::RunLedgerCheckpoint(ledger_dir); });
  auto* prove_cmd = ledger->add_subcommand("prove", "Inclusion proof of an entry (JSON)");
  prove_cmd->add_option("--data-dir", ledger_dir)->required();
  prove_cmd->add_option("--index", proof_index, "Entry index")->required();
  prove_cmd->add_option("--size", proof_size, "Tree size (default: latest checkpoint)");
  prove_cmd->callback(
      [&] { status = vigil::cli::RunLedgerProve(ledger_dir, proof_index, proof_size); });
  auto* cons_cmd = ledger->add_subcommand("consistency", "Consistency proof between sizes (JSON)");
  cons_cmd->add_option("--data-dir", ledger_dir)->required();
  cons_cmd->add_option("--old", old_size, "Older tree size")->required();
  cons_cmd->add_option("--new", new_size, "Newer tree size (default: latest checkpoint)");
  cons_cmd->callback(
      [&] { status = vigil::cli::RunLedgerConsistency(ledger_dir, old_size, new_size); });

  uint64_t show_from = 0, show_to = 0;
  auto* show_cmd = ledger->add_subcommand("show", "Entries as JSON lines");
  show_cmd->add_option("--data-dir", ledger_dir)->required();
  show_cmd->add_option("--from", show_from, "First entry index");
  show_cmd->add_option("--to", show_to, "One past the last entry (default: the end)");
  show_cmd->callback([&] { status = vigil::cli::RunLedgerShow(ledger_dir, show_from, show_to); });
  std::string export_dir;
  auto* export_cmd =
      ledger->add_subcommand("export", "Entries, checkpoints and proofs for outside verifiers");
  export_cmd->add_option("--data-dir", ledger_dir)->required();
  export_cmd->add_option("--out", export_dir, "Directory to create")->required();
  export_cmd->callback([&] { status = vigil::cli::RunLedgerExport(ledger_dir, export_dir); });

  vigil::cli::AddUserCommands(app, status);
  vigil::cli::AddAlertCommands(app, status);
  vigil::cli::AddIncidentCommands(app, status);
  vigil::cli::AddAddressCommands(app, status);

  vigil::sim::SimOptions sim;
  auto* sim_cmd = app.add_subcommand("sim", "Simulated devices streaming to a hub");
  sim_cmd->add_option("--data-dir", sim.data_dir, "The hub's data directory (devices enrol there)")
      ->required();
  sim_cmd->add_option("--devices", sim.devices, "How many devices")->check(CLI::Range(1, 100000));
  sim_cmd->add_option("--duration", sim.duration_seconds, "Seconds to send for");
  sim_cmd->add_option("--rate", sim.rate_hz,
                      "Messages per second per device (0: as fast as acknowledgements allow; "
                      "default: each device type's natural rate)");
  sim_cmd->add_option("--host", sim.host, "Hub host name (must match its certificate)");
  sim_cmd->add_option("--port", sim.port, "Hub MQTT port (default: from the hub's config)");
  sim_cmd->add_option("--qos", sim.qos, "0 or 1");
  sim_cmd->add_option("--mqtt", sim.mqtt_version, "3.1.1 or 5")
      ->check(CLI::IsMember({"3.1.1", "5", "5.0"}));
  sim_cmd->add_option("--window", sim.window, "Unacknowledged messages in flight per device")
      ->check(CLI::Range(1, 65535));
  sim_cmd->add_option("--threads", sim.threads, "I/O threads")->check(CLI::Range(1, 64));
  sim_cmd->add_option("--prefix", sim.prefix, "Device and patient id prefix");
  sim_cmd->add_option("--types", sim.types, "Device types to simulate (repeatable)");
  sim_cmd->add_option("--drain", sim.drain_seconds,
                      "Seconds to wait for acknowledgements at the end");
  sim_cmd->add_option("--acked-out", sim.acked_out,
                      "Write every acknowledged '<device> <seq>' here");
  sim_cmd->add_flag("--json", sim.json, "Print the summary as JSON");
  static vigil::sim::AttackOptions attack;
  sim_cmd->add_option("--attack", attack.name, "Run this attack scenario instead of a fleet")
      ->check(CLI::IsMember(vigil::sim::AttackNames()));
  sim_cmd->add_option("--truth", attack.truth_out,
                      "Append the attack's ground truth (JSON line) here instead of printing it");
  sim_cmd->add_option("--tag", attack.tag, "Suffix for the attack's devices and users");
  sim_cmd->add_option("--https-port", attack.https_port,
                      "Hub HTTPS port for attacks (default: from the hub's config)");
  sim_cmd->callback([&] {
    if (attack.name.empty()) {
      status = vigil::sim::RunSim(sim);
      return;
    }
    attack.data_dir = sim.data_dir;
    attack.host = sim.host;
    attack.mqtt_port = sim.port;
    status = vigil::sim::RunAttack(attack);
  });

  app.parse_complete_callback([&] { SetUpLogging(log_level); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!status.ok()) {
    std::cerr << "vigil: " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
