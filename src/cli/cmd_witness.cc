// `vigil witness`: a C2SP tlog-witness over HTTP until SIGINT or SIGTERM.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/clock.h"
#include "core/files.h"
#include "server/witness_server.h"
#include "witness/witness.h"

namespace vigil::cli {

Status RunWitness(const WitnessCommandOptions& o) {
  VIGIL_ASSIGN_OR_RETURN(
      auto witness, witness::Witness::Open(o.dir, o.name, o.log_keys, SystemClock::Instance()));
  VIGIL_ASSIGN_OR_RETURN(
      auto server, server::WitnessServer::Start(*witness, o.bind, static_cast<uint16_t>(o.port)));
  std::cout << "vigil witness " << o.name << " on http://" << o.bind << ":" << server->port()
            << " (POST /add-checkpoint)\n  its key: " << witness->VerifierKey() << "\n"
            << "  witnessing " << o.log_keys.size() << " log(s)\n"
            << std::flush;
  if (!o.ready_file.empty()) {
    const nlohmann::json ready = {
        {"pid", ::getpid()}, {"port", server->port()}, {"key", witness->VerifierKey()}};
    VIGIL_RETURN_IF_ERROR(
        WriteFileAtomic(o.ready_file, ready.dump() + "\n", 0600, Overwrite::kReplace));
  }
  boost::asio::io_context signal_io;
  boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int signal) {
    spdlog::info("signal {} received: the witness stops", signal);
  });
  signal_io.run();
  return Status::Ok();
}

}  // namespace vigil::cli
