// `vigil sim --attack NAME` (issue #6): attack scenarios against a running hub, each with
// identities of its own (a device enrolled for it, users added for it) and its own source
// addresses on the loopback network, so that what it triggers is attributable. Each writes a
// line of labelled ground truth: what was done, to or by whom, when it started and ended, and
// which alerts should name it.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::sim {

struct AttackOptions {
  std::string data_dir;
  std::string name;
  std::string host = "localhost";
  int mqtt_port = -1;  // -1: from the hub's config
  int https_port = -1;
  std::string truth_out;  // append the ground-truth JSON line here ("" standard output)
  std::string tag;        // makes the attack's identities unique ("" the current time)
};

// replay, spoof, flood, tamper, clone, botnet, brute-force, stuffing, insider, exfiltration,
// drift, slow-stuffing, stolen-password.
const std::vector<std::string>& AttackNames();

Status RunAttack(const AttackOptions& options);

}  // namespace vigil::sim
