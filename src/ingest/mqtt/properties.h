// MQTT 5 properties (section 2.2.2): the reader skips what the hub does not use after checking
// its encoding, and hands back the ones it does. Private to ingest/mqtt.
#pragma once

#include <cstdint>
#include <string>

#include "ingest/mqtt/byte_reader.h"

namespace vigil::ingest::mqtt {

struct Properties {
  uint32_t maximum_packet_size = 0;
  uint16_t receive_maximum = 65535;
  bool has_topic_alias = false;
  bool has_authentication_method = false;
  bool receive_maximum_zero = false;  // a protocol error the caller reports
};

// Reads a property length and the properties. False when the encoding is malformed or a
// property is unknown or repeated where the spec forbids it.
bool ReadProperties(ByteReader& reader, Properties& out);

// Property identifiers the hub writes.
namespace property {
inline constexpr uint8_t kSessionExpiryInterval = 0x11;
inline constexpr uint8_t kServerKeepAlive = 0x13;
inline constexpr uint8_t kReasonString = 0x1F;
inline constexpr uint8_t kReceiveMaximum = 0x21;
inline constexpr uint8_t kTopicAlias = 0x23;
inline constexpr uint8_t kMaximumQos = 0x24;
inline constexpr uint8_t kRetainAvailable = 0x25;
inline constexpr uint8_t kMaximumPacketSize = 0x27;
inline constexpr uint8_t kWildcardSubscriptionAvailable = 0x28;
inline constexpr uint8_t kSubscriptionIdentifierAvailable = 0x29;
inline constexpr uint8_t kSharedSubscriptionAvailable = 0x2A;
}  // namespace property

}  // namespace vigil::ingest::mqtt
