// `vigil user ...` and `vigil careteam ...`: people and who looks after whom.
#include <CLI/CLI.hpp>
#include <iostream>

#include "access/qr_code.h"
#include "access/user_changes.h"
#include "admin/user_admin.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/time_format.h"

namespace vigil::cli {
namespace {

using admin::AdminHub;
using admin::OpenAdminHub;

struct UserAddOptions {
  std::string data_dir, username, role, patient_id, qr_png;
};

Status RunUserAdd(const UserAddOptions& o) {
  const auto role = access::ParseRole(o.role);
  if (!role) {
    return Status::InvalidArgument(
        "--role must be patient, clinician, nurse, device-admin, security-officer or admin");
  }
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(o.data_dir));
  VIGIL_ASSIGN_OR_RETURN(admin::UserEnrolment enrolment,
                         admin::AddUser(hub, {o.username, *role, o.patient_id}));
  std::cout << "Added " << o.role << " " << o.username
            << (o.patient_id.empty() ? "" : " (patient " + o.patient_id + ")") << ".\n\n"
            << "Give these to the user once, privately; they are not shown again:\n"
            << "  initial password: " << enrolment.initial_password
            << "   (must be changed at first login)\n"
            << "  TOTP secret:      " << enrolment.totp_secret_base32 << "\n"
            << "  TOTP URI:         " << enrolment.otpauth_uri << "\n\n";
  if (!o.qr_png.empty()) {
    VIGIL_RETURN_IF_ERROR(access::WriteQrCodePng(enrolment.otpauth_uri, o.qr_png));
    std::cout << "QR code written to " << o.qr_png << " (0600; delete it once scanned)\n";
  } else {
    VIGIL_ASSIGN_OR_RETURN(std::string qr, access::QrCodeForTerminal(enrolment.otpauth_uri));
    std::cout << "Scan with an authenticator app:\n" << qr;
  }
  return Status::Ok();
}

Status RunUserList(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto users, hub.store->access().ListUsers());
  std::cout << "username\trole\tpatient\tmust_change_password\tcreated\n";
  for (const auto& u : users) {
    std::cout << u.username << "\t" << u.role << "\t" << (u.patient_id.empty() ? "-" : u.patient_id)
              << "\t" << (u.must_change_password ? "yes" : "no") << "\t"
              << FormatRfc3339Millis(u.created_ms) << "\n";
  }
  return Status::Ok();
}

Status RunRevokeSessions(const std::string& data_dir, const std::string& username) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(
      int64_t count, access::RevokeSessions(hub.store->access(), *hub.audit,
                                            SystemClock::Instance().NowMillis(), username, "cli"));
  std::cout << "Ended " << count << " session(s) of " << username
            << "; their next request gets 401\n";
  return Status::Ok();
}

Status RunUnlock(const std::string& data_dir, const std::string& username) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(access::UnlockLogin(hub.store->access(), *hub.audit,
                                            SystemClock::Instance().NowMillis(), username, "cli"));
  std::cout << "Unlocked " << username
            << ": failed logins forgotten (a running hub applies it within a second)\n";
  return Status::Ok();
}

Status RunCareTeam(const std::string& data_dir, const std::string& verb,
                   const std::string& patient_id, const std::string& username) {
  VIGIL_ASSIGN_OR_RETURN(AdminHub hub, OpenAdminHub(data_dir));
  const int64_t now = SystemClock::Instance().NowMillis();
  if (verb == "list") {
    VIGIL_ASSIGN_OR_RETURN(auto team, hub.store->access().CareTeam(patient_id));
    for (const auto& member : team) std::cout << member << "\n";
    return Status::Ok();
  }
  if (verb == "add") {
    VIGIL_RETURN_IF_ERROR(
        access::AddToCareTeam(hub.store->access(), *hub.audit, now, patient_id, username, "cli"));
    std::cout << "Added " << username << " to " << patient_id << "'s care team\n";
  } else {
    VIGIL_RETURN_IF_ERROR(access::RemoveFromCareTeam(hub.store->access(), *hub.audit, now,
                                                     patient_id, username, "cli"));
    std::cout << "Removed " << username << " from " << patient_id << "'s care team\n";
  }
  return Status::Ok();
}

}  // namespace

void AddUserCommands(CLI::App& app, Status& status) {
  auto* user =
      app.add_subcommand("user", "Manage users (people who log in)")->require_subcommand(1);
  static UserAddOptions add;
  auto* add_cmd = user->add_subcommand("add", "Add a user; prints a one-time enrolment");
  add_cmd->add_option("--data-dir", add.data_dir)->required();
  add_cmd->add_option("--username", add.username)->required();
  add_cmd
      ->add_option("--role", add.role,
                   "patient, clinician, nurse, device-admin, security-officer, admin")
      ->required();
  add_cmd->add_option("--patient", add.patient_id, "The patient record a patient user is");
  add_cmd->add_option("--qr", add.qr_png, "Write the TOTP QR code to this PNG file");
  add_cmd->callback([&status] { status = RunUserAdd(add); });

  static std::string list_dir;
  auto* list_cmd = user->add_subcommand("list", "List users");
  list_cmd->add_option("--data-dir", list_dir)->required();
  list_cmd->callback([&status] { status = RunUserList(list_dir); });

  static std::string revoke_dir, revoke_user;
  auto* revoke_cmd = user->add_subcommand("revoke-sessions", "End every session of a user");
  revoke_cmd->add_option("--data-dir", revoke_dir)->required();
  revoke_cmd->add_option("--username", revoke_user)->required();
  revoke_cmd->callback([&status] { status = RunRevokeSessions(revoke_dir, revoke_user); });
  auto* unlock_cmd =
      user->add_subcommand("unlock", "Forget a user's failed logins, lifting a lock");
  unlock_cmd->add_option("--data-dir", revoke_dir)->required();
  unlock_cmd->add_option("--username", revoke_user)->required();
  unlock_cmd->callback([&status] { status = RunUnlock(revoke_dir, revoke_user); });

  auto* team = app.add_subcommand("careteam", "Who looks after a patient")->require_subcommand(1);
  static std::string team_dir, team_patient, team_user;
  for (const char* verb : {"add", "remove", "list"}) {
    auto* cmd = team->add_subcommand(verb, std::string(verb) + " care-team members");
    cmd->add_option("--data-dir", team_dir)->required();
    cmd->add_option("--patient", team_patient)->required();
    if (std::string(verb) != "list") cmd->add_option("--user", team_user)->required();
    cmd->callback(
        [&status, verb] { status = RunCareTeam(team_dir, verb, team_patient, team_user); });
  }
}

}  // namespace vigil::cli
