// `vigil serve`: validates the configuration, opens the hub, listens, and runs until SIGTERM.
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "admin/hub_admin.h"
#include "cli/commands.h"
#include "core/files.h"
#include "server/hub_server.h"

namespace vigil::cli {

Status RunServe(const ServeCommandOptions& o) {
  const HubLayout layout(o.data_dir);
  VIGIL_RETURN_IF_ERROR(admin::CheckHubPresent(layout));
  // One hub process per data directory: a second one would sign a fork of the same ledger.
  auto lock = FileLock::Acquire(layout.serve_lock());
  if (!lock.ok()) {
    return Status::Unavailable("another `vigil serve` is running on " + o.data_dir + ": " +
                               lock.status().message());
  }
  VIGIL_ASSIGN_OR_RETURN(HubConfig config, LoadHubConfig(layout.config()));
  if (!o.bind.empty()) config.serve.bind = o.bind;
  if (o.mqtt_port >= 0) config.serve.mqtt_port = static_cast<uint16_t>(o.mqtt_port);
  if (o.https_port >= 0) config.serve.https_port = static_cast<uint16_t>(o.https_port);

  VIGIL_ASSIGN_OR_RETURN(auto server, server::HubServer::Open(layout, config));
  VIGIL_RETURN_IF_ERROR(server->Start());
  std::cout << "vigil serving hub " << layout.root << "\n"
            << "  MQTT over TLS  " << config.serve.bind << ":" << server->mqtt_port()
            << "  (client certificate required; topic devices/<id>/vitals)\n"
            << "  HTTPS          https://" << config.serve.bind << ":" << server->https_port()
            << "  (POST /ingest, GET /metrics, GET /healthz)\n"
            << std::flush;
  if (!o.ready_file.empty()) {
    const nlohmann::json ready = {{"pid", ::getpid()},
                                  {"mqtt_port", server->mqtt_port()},
                                  {"https_port", server->https_port()}};
    VIGIL_RETURN_IF_ERROR(
        WriteFileAtomic(o.ready_file, ready.dump() + "\n", 0600, Overwrite::kReplace));
  }
  server->RunUntilSignalled();
  return Status::Ok();
}

}  // namespace vigil::cli
