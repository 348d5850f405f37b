// What one device may send and how the transports hold it to that ([ingest] in config.toml).
#pragma once

#include <cstdint>

namespace vigil {

// Limits on what one device may send; documented defaults.
struct IngestLimits {
  int64_t max_clock_skew_seconds = 300;    // |reading time - hub time| allowed
  uint32_t max_payload_bytes = 64 * 1024;  // one message's payload
  uint32_t max_packet_bytes = 128 * 1024;  // one MQTT packet, header included
  uint32_t max_measurements = 64;          // measurements in one message
  uint16_t max_inflight = 64;              // unacknowledged QoS 1 publishes per connection
  uint16_t max_keep_alive_seconds = 600;   // a larger keep-alive is lowered to this
  uint32_t max_connections = 20000;        // concurrent device connections
  // A connection whose peer takes no acknowledgement for this long (its TCP window stays
  // closed) is dropped; meanwhile the hub stops reading from it.
  uint32_t write_timeout_seconds = 30;
  // A device may subscribe under its own topic (devices/<id>/#, e.g. its command topic): granted
  // quietly (the hub sends nothing there yet). Any other subscription is refused and alerts.
  bool allow_own_topic_subscriptions = true;
};

}  // namespace vigil
