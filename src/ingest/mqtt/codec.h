// The MQTT codec: bytes in, packets or an error out; packets in, bytes out. No I/O and no
// session state, so it can be fuzzed and tested on its own. docs/mqtt.md lists what the hub
// accepts of MQTT 3.1.1 and 5.0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/mqtt/packets.h"

namespace vigil::ingest::mqtt {

struct FixedHeader {
  PacketType type = PacketType::kConnect;
  uint8_t flags = 0;
  uint32_t remaining_length = 0;
  size_t header_bytes = 0;  // 2 to 5
};

enum class FrameStatus { kComplete, kIncomplete, kMalformed };

// Reads the fixed header at the start of `buffer`: kIncomplete when more bytes are needed,
// kMalformed when no more bytes can make it valid (bad varint, type 0).
FrameStatus ParseFixedHeader(std::string_view buffer, FixedHeader& out);

// A decoding failure: the MQTT 5 reason code to disconnect with and a message for the log.
struct DecodeError {
  uint8_t reason_code = reason::kMalformedPacket;
  std::string message;
};

struct DecodeResult {
  std::optional<ClientPacket> packet;
  DecodeError error;  // meaningful when !packet
  bool ok() const { return packet.has_value(); }
};

// Decodes one packet's variable header and payload (`body` is exactly remaining_length bytes).
// `version` is the connection's protocol (kV311 until CONNECT says otherwise; CONNECT carries
// its own).
DecodeResult DecodeClientPacket(const FixedHeader& header, std::string_view body,
                                ProtocolVersion version);

// What the hub advertises in a v5 CONNACK.
struct ConnackProperties {
  uint16_t receive_maximum = 64;
  uint32_t maximum_packet_size = 0;  // 0: omitted
  uint16_t server_keep_alive = 0;    // 0: omitted (the client's value stands)
  std::string reason_string;         // empty: omitted
  bool any = true;                   // false: no properties at all (a client's small maximum)
};

// v3.1.1 return codes for CONNACK, from a v5 reason code.
uint8_t ConnackReturnCodeV311(uint8_t v5_reason);

std::string EncodeConnack(ProtocolVersion version, uint8_t reason_code,
                          const ConnackProperties& properties);
// v5: reason code and optional reason string; v3.1.1: packet id only (the reason is dropped).
std::string EncodePuback(ProtocolVersion version, uint16_t packet_id, uint8_t reason_code,
                         std::string_view reason_string);
std::string EncodeSuback(ProtocolVersion version, uint16_t packet_id,
                         const std::vector<uint8_t>& codes);
std::string EncodeUnsuback(ProtocolVersion version, uint16_t packet_id, size_t filters,
                           uint8_t code);
std::string EncodePingresp();
// v5 only (a v3.1.1 server just closes the connection).
std::string EncodeDisconnect(uint8_t reason_code, std::string_view reason_string);

// Client-side encoders, used by the simulator, the tests and the fuzz corpus.
std::string EncodeConnect(const ConnectPacket& connect);
std::string EncodePublish(ProtocolVersion version, const PublishPacket& publish);
std::string EncodeSubscribe(ProtocolVersion version, const SubscribePacket& subscribe);

}  // namespace vigil::ingest::mqtt
