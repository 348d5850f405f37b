// `vigil sim`: enrols (or reuses) N simulated devices in a hub's data directory, runs them
// against the hub for a bounded time, prints a live status line and a final summary.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::sim {

struct SimOptions {
  std::string data_dir;
  int devices = 10;
  double duration_seconds = 60;
  double rate_hz = -1;  // per device; -1: each type's natural rate; 0: as fast as acks allow
  std::string host = "localhost";
  int port = -1;  // -1: the hub's configured MQTT port
  int qos = 1;
  std::string mqtt_version = "3.1.1";
  int window = 16;
  int threads = 2;
  std::string prefix = "sim";
  std::vector<std::string> types;  // empty: a mix of every simulated type
  bool json = false;
  std::string acked_out;      // write "<device> <seq>" for every acknowledged reading
  double drain_seconds = 30;  // after the duration, how long to wait for acknowledgements
};

// Runs the simulation. Fails if a reading was left unacknowledged.
Status RunSim(const SimOptions& options);

}  // namespace vigil::sim
