// `vigil address list|unblock`: the peer addresses containment blocked from signing in, and
// lifting a block (with a reason, recorded in the ledger; every running hub applies it within a
// second).
#include <CLI/CLI.hpp>
#include <iostream>

#include "admin/hub_admin.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/time_format.h"
#include "respond/address_blocks.h"

namespace vigil::cli {
namespace {

Status RunAddressList(const std::string& data_dir) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_ASSIGN_OR_RETURN(
      auto blocks, hub.store->alerts().ListAddressBlocks(SystemClock::Instance().NowMillis()));
  std::cout << "address\tsince\tuntil\treason\n";
  for (const auto& b : blocks) {
    std::cout << b.address << "\t" << FormatRfc3339Millis(b.since_ms) << "\t"
              << FormatRfc3339Millis(b.until_ms) << "\t" << b.reason << "\n";
  }
  return Status::Ok();
}

Status RunAddressUnblock(const std::string& data_dir, const std::string& address,
                         const std::string& reason) {
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(respond::LiftAddressBlock(hub.store->alerts(), *hub.audit,
                                                  SystemClock::Instance().NowMillis(), address,
                                                  admin::OperatorIdentity(), reason));
  std::cout << "Unblocked " << address
            << ": it may sign in again (a running hub applies it within a second)\n";
  return Status::Ok();
}

}  // namespace

void AddAddressCommands(CLI::App& app, Status& status) {
  auto* address =
      app.add_subcommand("address", "Peer addresses blocked by containment")->require_subcommand(1);
  static std::string dir, target, reason;
  auto* list = address->add_subcommand("list", "The blocks in force, on every hub");
  list->add_option("--data-dir", dir)->required();
  list->callback([&status] { status = RunAddressList(dir); });
  auto* unblock = address->add_subcommand("unblock", "Lift a block before it ends");
  unblock->add_option("--data-dir", dir)->required();
  unblock->add_option("--address", target)->required();
  unblock->add_option("--reason", reason, "Why (recorded in the ledger)")->required();
  unblock->callback([&status] { status = RunAddressUnblock(dir, target, reason); });
}

}  // namespace vigil::cli
