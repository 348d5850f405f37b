// MQTT 3.1.1 and 5.0 control packets as the hub sees them. The codec (codec.h) turns bytes into
// these and back; it is pure: no I/O, no session state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace vigil::ingest::mqtt {

enum class PacketType : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
  kAuth = 15,
};

enum class ProtocolVersion : uint8_t { kV311 = 4, kV5 = 5 };

// MQTT 5 reason codes the hub sends (MQTT 5.0 section 2.4).
namespace reason {
inline constexpr uint8_t kSuccess = 0x00;
inline constexpr uint8_t kUnspecifiedError = 0x80;
inline constexpr uint8_t kMalformedPacket = 0x81;
inline constexpr uint8_t kProtocolError = 0x82;
inline constexpr uint8_t kUnsupportedProtocolVersion = 0x84;
inline constexpr uint8_t kClientIdentifierNotValid = 0x85;
inline constexpr uint8_t kNotAuthorized = 0x87;
inline constexpr uint8_t kServerUnavailable = 0x88;
inline constexpr uint8_t kServerBusy = 0x89;
inline constexpr uint8_t kBadAuthenticationMethod = 0x8C;
inline constexpr uint8_t kKeepAliveTimeout = 0x8D;
inline constexpr uint8_t kSessionTakenOver = 0x8E;
inline constexpr uint8_t kServerShuttingDown = 0x8B;
inline constexpr uint8_t kTopicNameInvalid = 0x90;
inline constexpr uint8_t kReceiveMaximumExceeded = 0x93;
inline constexpr uint8_t kTopicAliasInvalid = 0x94;
inline constexpr uint8_t kPacketTooLarge = 0x95;
inline constexpr uint8_t kPayloadFormatInvalid = 0x99;
inline constexpr uint8_t kRetainNotSupported = 0x9A;
inline constexpr uint8_t kQosNotSupported = 0x9B;
inline constexpr uint8_t kWildcardSubscriptionsNotSupported = 0xA2;
}  // namespace reason

struct ConnectPacket {
  ProtocolVersion version = ProtocolVersion::kV311;
  bool clean_start = true;
  uint16_t keep_alive_seconds = 0;
  std::string client_id;
  bool has_will = false;
  std::optional<std::string> username;
  bool has_password = false;  // the password itself is dropped at once: devices use certificates
  uint32_t maximum_packet_size = 0;        // v5: what the client accepts; 0 = no limit given
  uint16_t receive_maximum = 65535;        // v5
  bool has_authentication_method = false;  // v5 enhanced authentication (not offered)
};

struct PublishPacket {
  bool dup = false;
  uint8_t qos = 0;
  bool retain = false;
  std::string topic;
  uint16_t packet_id = 0;  // present when qos > 0
  bool has_topic_alias = false;
  std::string payload;
};

struct SubscribePacket {
  uint16_t packet_id = 0;
  std::vector<std::string> filters;
};

struct UnsubscribePacket {
  uint16_t packet_id = 0;
  std::vector<std::string> filters;
};

struct PingreqPacket {};

struct DisconnectPacket {
  uint8_t reason_code = reason::kSuccess;
};

// A packet the client may send to the hub. (PUBACK/PUBREC/PUBREL/PUBCOMP/AUTH from a device are
// protocol errors here: the hub never publishes to devices and offers no enhanced auth.)
using ClientPacket = std::variant<ConnectPacket, PublishPacket, SubscribePacket, UnsubscribePacket,
                                  PingreqPacket, DisconnectPacket>;

}  // namespace vigil::ingest::mqtt
