// MQTT 5 properties (section 2.2.2): every property is checked against the table of section
// 2.2.2.2 — the packets it may appear in, its data type, whether it may repeat, and its value
// range — before anything of the packet is acted on. The reader hands back the ones the hub
// uses. Private to ingest/mqtt.
#pragma once

#include <cstdint>
#include <string>

#include "ingest/mqtt/byte_reader.h"

namespace vigil::ingest::mqtt {

// Where a property block stands: the client-sent packets that carry one.
enum class PropertyContext : uint8_t {
  kConnect,
  kWill,  // the Will Properties of a CONNECT
  kPublish,
  kSubscribe,
  kUnsubscribe,
  kDisconnect,
  kCount,
};

struct Properties {
  uint32_t maximum_packet_size = 0;  // 0: not given
  uint16_t receive_maximum = 65535;
  bool has_topic_alias = false;
  bool has_authentication_method = false;
};

// Why a property block was refused: the MQTT 5 reason code to close with, and a sentence.
struct PropertyError {
  uint8_t reason_code = 0;  // 0x81 malformed, 0x82 protocol error
  std::string message;
};

// Reads a property length and the properties of a packet of `context`. False, with `error`
// set, when the encoding is malformed, a property is unknown or not allowed in that packet
// (0x81), repeated where the specification forbids it, or out of its value range (0x82).
bool ReadProperties(ByteReader& reader, PropertyContext context, Properties& out,
                    PropertyError& error);

// Whether the specification allows property `id` in a packet of `context` (MQTT 5 §2.2.2.2,
// restricted to what a client may send).
bool PropertyAllowed(uint8_t id, PropertyContext context);

// Property identifiers the hub reads or writes.
namespace property {
inline constexpr uint8_t kPayloadFormatIndicator = 0x01;
inline constexpr uint8_t kResponseTopic = 0x08;
inline constexpr uint8_t kSubscriptionIdentifier = 0x0B;
inline constexpr uint8_t kSessionExpiryInterval = 0x11;
inline constexpr uint8_t kServerKeepAlive = 0x13;
inline constexpr uint8_t kAuthenticationMethod = 0x15;
inline constexpr uint8_t kAuthenticationData = 0x16;
inline constexpr uint8_t kRequestProblemInformation = 0x17;
inline constexpr uint8_t kRequestResponseInformation = 0x19;
inline constexpr uint8_t kReasonString = 0x1F;
inline constexpr uint8_t kReceiveMaximum = 0x21;
inline constexpr uint8_t kTopicAlias = 0x23;
inline constexpr uint8_t kMaximumQos = 0x24;
inline constexpr uint8_t kRetainAvailable = 0x25;
inline constexpr uint8_t kUserProperty = 0x26;
inline constexpr uint8_t kMaximumPacketSize = 0x27;
inline constexpr uint8_t kWildcardSubscriptionAvailable = 0x28;
inline constexpr uint8_t kSubscriptionIdentifierAvailable = 0x29;
inline constexpr uint8_t kSharedSubscriptionAvailable = 0x2A;
}  // namespace property

}  // namespace vigil::ingest::mqtt
