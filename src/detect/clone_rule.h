// Cloned device certificates. A clone shows itself in what it cannot hide:
// - two holders of one certificate taking the connection from each other (addresses switching
//   at least 3 times within the window: A, B, A, B; a device that roams changes once or twice);
// - two senders sharing one sequence-number space: readings refused as replays from one
//   address soon after readings from another were accepted (a clone that connects only while
//   the device is away, continuing or jumping ahead of its counter, makes the device's own next
//   readings "replays").
// Either raises "device-clone" on the device (high), naming the clone's address (the one that is
// not the device's home: the first address it connected from, kept across restarts, else the
// one most of its recent readings came from) and the clone's recent readings as `suspect_seqs`,
// which the responder marks suspect in the store ("clone"). When the two senders' TLS clients
// differ, the copy is the one whose client is not the device's own.
// A connection with a TLS client (ClientHello fingerprint) the device never used, from an address
// that is neither its home nor its last, raises "new-tls-client" (medium, no containment): the
// certificate in someone else's software. The TLS clients are kept across restarts.
#pragma once

#include <memory>

#include "detect/rules.h"

namespace vigil::detect {

std::unique_ptr<Rule> MakeDeviceCloneRule(const RuleSettings& settings);

}  // namespace vigil::detect
