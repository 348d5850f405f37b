// Encoding of MQTT packets: what the hub sends, and what a client sends (simulator, tests).
#include "ingest/mqtt/byte_reader.h"
#include "ingest/mqtt/codec.h"
#include "ingest/mqtt/properties.h"

namespace vigil::ingest::mqtt {
namespace {

std::string Frame(PacketType type, uint8_t flags, const std::string& body) {
  std::string out;
  PutByte(out, static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) | flags));
  PutVarint(out, static_cast<uint32_t>(body.size()));
  out += body;
  return out;
}

void PutProperties(std::string& out, const std::string& props) {
  PutVarint(out, static_cast<uint32_t>(props.size()));
  out += props;
}

void PutReasonString(std::string& props, std::string_view reason_string) {
  if (reason_string.empty()) return;
  PutByte(props, property::kReasonString);
  PutUtf8(props, reason_string.substr(0, 256));
}

}  // namespace

uint8_t ConnackReturnCodeV311(uint8_t v5_reason) {
  switch (v5_reason) {
    case reason::kSuccess:
      return 0x00;
    case reason::kUnsupportedProtocolVersion:
      return 0x01;
    case reason::kClientIdentifierNotValid:
      return 0x02;
    case reason::kServerUnavailable:
    case reason::kServerBusy:
      return 0x03;
    case reason::kBadAuthenticationMethod:
      return 0x04;
    default:
      return 0x05;  // not authorized
  }
}

std::string EncodeConnack(ProtocolVersion version, uint8_t reason_code,
                          const ConnackProperties& p) {
  std::string body;
  PutByte(body, 0x00);  // session present: the hub keeps no sessions
  if (version != ProtocolVersion::kV5) {
    PutByte(body, ConnackReturnCodeV311(reason_code));
    return Frame(PacketType::kConnack, 0, body);
  }
  PutByte(body, reason_code);
  std::string props;
  if (reason_code == reason::kSuccess && p.any) {
    PutByte(props, property::kReceiveMaximum);
    PutUint16(props, p.receive_maximum);
    PutByte(props, property::kMaximumQos);
    PutByte(props, 1);
    PutByte(props, property::kRetainAvailable);
    PutByte(props, 0);
    PutByte(props, property::kWildcardSubscriptionAvailable);
    PutByte(props, 0);
    PutByte(props, property::kSubscriptionIdentifierAvailable);
    PutByte(props, 0);
    PutByte(props, property::kSharedSubscriptionAvailable);
    PutByte(props, 0);
    if (p.maximum_packet_size) {
      PutByte(props, property::kMaximumPacketSize);
      PutUint32(props, p.maximum_packet_size);
    }
    if (p.server_keep_alive) {
      PutByte(props, property::kServerKeepAlive);
      PutUint16(props, p.server_keep_alive);
    }
  }
  if (p.any) PutReasonString(props, p.reason_string);
  PutProperties(body, props);
  return Frame(PacketType::kConnack, 0, body);
}

std::string EncodePuback(ProtocolVersion version, uint16_t packet_id, uint8_t reason_code,
                         std::string_view reason_string) {
  std::string body;
  PutUint16(body, packet_id);
  if (version == ProtocolVersion::kV5 &&
      (reason_code != reason::kSuccess || !reason_string.empty())) {
    PutByte(body, reason_code);
    std::string props;
    PutReasonString(props, reason_string);
    PutProperties(body, props);
  }
  return Frame(PacketType::kPuback, 0, body);
}

std::string EncodeSuback(ProtocolVersion version, uint16_t packet_id,
                         const std::vector<uint8_t>& codes) {
  std::string body;
  PutUint16(body, packet_id);
  if (version == ProtocolVersion::kV5) PutProperties(body, "");
  for (uint8_t c : codes) PutByte(body, c);
  return Frame(PacketType::kSuback, 0, body);
}

std::string EncodeUnsuback(ProtocolVersion version, uint16_t packet_id, size_t filters,
                           uint8_t code) {
  std::string body;
  PutUint16(body, packet_id);
  if (version == ProtocolVersion::kV5) {
    PutProperties(body, "");
    for (size_t i = 0; i < filters; ++i) PutByte(body, code);
  }
  return Frame(PacketType::kUnsuback, 0, body);
}

std::string EncodePingresp() { return Frame(PacketType::kPingresp, 0, ""); }

std::string EncodeDisconnect(uint8_t reason_code, std::string_view reason_string) {
  std::string body;
  PutByte(body, reason_code);
  std::string props;
  PutReasonString(props, reason_string);
  PutProperties(body, props);
  return Frame(PacketType::kDisconnect, 0, body);
}

std::string EncodeConnect(const ConnectPacket& c) {
  std::string body;
  PutUtf8(body, "MQTT");
  PutByte(body, static_cast<uint8_t>(c.version));
  uint8_t flags = c.clean_start ? 0x02 : 0x00;
  if (c.username) flags |= 0x80;
  PutByte(body, flags);
  PutUint16(body, c.keep_alive_seconds);
  if (c.version == ProtocolVersion::kV5) {
    std::string props;
    if (c.receive_maximum != 65535) {
      PutByte(props, property::kReceiveMaximum);
      PutUint16(props, c.receive_maximum);
    }
    PutProperties(body, props);
  }
  PutUtf8(body, c.client_id);
  if (c.username) PutUtf8(body, *c.username);
  return Frame(PacketType::kConnect, 0, body);
}

std::string EncodePublish(ProtocolVersion version, const PublishPacket& p) {
  std::string body;
  PutUtf8(body, p.topic);
  if (p.qos > 0) PutUint16(body, p.packet_id);
  if (version == ProtocolVersion::kV5) PutProperties(body, "");
  body += p.payload;
  const uint8_t flags =
      static_cast<uint8_t>((p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 0x01 : 0));
  return Frame(PacketType::kPublish, flags, body);
}

std::string EncodeSubscribe(ProtocolVersion version, const SubscribePacket& s) {
  std::string body;
  PutUint16(body, s.packet_id);
  if (version == ProtocolVersion::kV5) PutProperties(body, "");
  for (const auto& f : s.filters) {
    PutUtf8(body, f);
    PutByte(body, 0x01);
  }
  return Frame(PacketType::kSubscribe, 0x02, body);
}

}  // namespace vigil::ingest::mqtt
