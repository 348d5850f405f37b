// Decoding of client packets (MQTT 3.1.1 and 5.0). One function per packet type.
#include "ingest/mqtt/codec.h"

#include "ingest/mqtt/byte_reader.h"
#include "ingest/mqtt/properties.h"

namespace vigil::ingest::mqtt {
namespace {

DecodeResult Fail(uint8_t code, std::string message) {
  DecodeResult r;
  r.error = {code, std::move(message)};
  return r;
}

DecodeResult Malformed(std::string message) {
  return Fail(reason::kMalformedPacket, std::move(message));
}

DecodeResult Refused(const char* packet, const PropertyError& error) {
  return Fail(error.reason_code, std::string(packet) + ": " + error.message);
}

DecodeResult Ok(ClientPacket packet) {
  DecodeResult r;
  r.packet = std::move(packet);
  return r;
}

DecodeResult DecodeConnect(ByteReader& r) {
  std::string protocol;
  uint8_t level, flags;
  ConnectPacket c;
  if (!r.ReadUtf8(protocol) || !r.ReadByte(level)) return Malformed("CONNECT header truncated");
  if (protocol != "MQTT" || (level != 4 && level != 5)) {
    return Fail(reason::kUnsupportedProtocolVersion, "only MQTT 3.1.1 and 5.0 are supported");
  }
  c.version = static_cast<ProtocolVersion>(level);
  const bool v5 = c.version == ProtocolVersion::kV5;
  if (!r.ReadByte(flags) || !r.ReadUint16(c.keep_alive_seconds)) {
    return Malformed("CONNECT header truncated");
  }
  if (flags & 0x01) return Malformed("CONNECT reserved flag set");
  c.clean_start = flags & 0x02;
  c.has_will = flags & 0x04;
  const uint8_t will_qos = (flags >> 3) & 0x03;
  const bool will_retain = flags & 0x20;
  const bool has_password = flags & 0x40;
  const bool has_username = flags & 0x80;
  if (will_qos == 3 || (!c.has_will && (will_qos != 0 || will_retain))) {
    return Malformed("CONNECT will flags inconsistent");
  }
  if (!v5 && has_password && !has_username) return Malformed("password without user name");
  if (v5) {
    Properties props;
    PropertyError error;
    if (!ReadProperties(r, PropertyContext::kConnect, props, error)) {
      return Refused("CONNECT", error);
    }
    c.maximum_packet_size = props.maximum_packet_size;
    c.receive_maximum = props.receive_maximum;
    c.has_authentication_method = props.has_authentication_method;
  }
  if (!r.ReadUtf8(c.client_id)) return Malformed("client identifier malformed");
  if (c.has_will) {
    std::string topic, payload;
    if (v5) {
      Properties will_props;
      PropertyError error;
      if (!ReadProperties(r, PropertyContext::kWill, will_props, error)) {
        return Refused("CONNECT will", error);
      }
    }
    if (!r.ReadUtf8(topic) || !r.ReadBinary(payload)) return Malformed("will malformed");
  }
  if (has_username) {
    std::string user;
    if (!r.ReadUtf8(user)) return Malformed("user name malformed");
    c.username = std::move(user);
  }
  if (has_password) {
    std::string password;
    if (!r.ReadBinary(password)) return Malformed("password malformed");
    c.has_password = true;
  }
  if (!r.empty()) return Malformed("CONNECT has trailing bytes");
  return Ok(std::move(c));
}

bool IsValidTopicName(const std::string& topic) {
  return topic.find_first_of("+#") == std::string::npos;
}

DecodeResult DecodePublish(uint8_t flags, ByteReader& r, ProtocolVersion version) {
  PublishPacket p;
  p.dup = flags & 0x08;
  p.qos = (flags >> 1) & 0x03;
  p.retain = flags & 0x01;
  if (p.qos == 3) return Malformed("PUBLISH with QoS 3");
  if (p.qos == 0 && p.dup) return Malformed("PUBLISH QoS 0 with DUP set");
  if (!r.ReadUtf8(p.topic)) return Malformed("PUBLISH topic malformed");
  if (!IsValidTopicName(p.topic)) return Fail(reason::kTopicNameInvalid, "wildcard in topic name");
  if (p.qos > 0) {
    if (!r.ReadUint16(p.packet_id)) return Malformed("PUBLISH packet id missing");
    if (p.packet_id == 0) return Malformed("PUBLISH packet id 0");
  }
  if (version == ProtocolVersion::kV5) {
    Properties props;
    PropertyError error;
    if (!ReadProperties(r, PropertyContext::kPublish, props, error)) {
      return Refused("PUBLISH", error);
    }
    p.has_topic_alias = props.has_topic_alias;
  }
  if (p.topic.empty() && !p.has_topic_alias) return Fail(reason::kProtocolError, "empty topic");
  p.payload.assign(r.Rest());
  return Ok(std::move(p));
}

// SUBSCRIBE and UNSUBSCRIBE share their shape; SUBSCRIBE adds an options byte per filter.
// Options byte of a SUBSCRIBE filter: QoS (bits 0-1), and in v5 No Local, Retain As Published
// and Retain Handling (bits 2-5); the rest is reserved (MQTT 5 §3.8.3.1, 3.1.1 §3.8.3.1).
DecodeResult CheckSubscriptionOptions(uint8_t options, ProtocolVersion version) {
  const bool v5 = version == ProtocolVersion::kV5;
  if ((options & 0x03) == 3) return Malformed("subscription QoS 3");
  if (options & (v5 ? 0xc0 : 0xfc)) return Malformed("subscription options: reserved bits set");
  if (v5 && ((options >> 4) & 0x03) == 3) {
    return Fail(reason::kProtocolError, "subscription retain handling 3");
  }
  return Ok(PingreqPacket{});
}

template <typename Packet>
DecodeResult DecodeFilters(ByteReader& r, ProtocolVersion version, bool with_options) {
  Packet p;
  if (!r.ReadUint16(p.packet_id) || p.packet_id == 0) return Malformed("packet id missing or 0");
  if (version == ProtocolVersion::kV5) {
    Properties props;
    PropertyError error;
    const auto context = with_options ? PropertyContext::kSubscribe : PropertyContext::kUnsubscribe;
    if (!ReadProperties(r, context, props, error)) {
      return Refused(with_options ? "SUBSCRIBE" : "UNSUBSCRIBE", error);
    }
  }
  while (!r.empty()) {
    std::string filter;
    uint8_t options = 0;
    if (!r.ReadUtf8(filter) || filter.empty()) return Malformed("topic filter malformed");
    if (with_options) {
      if (!r.ReadByte(options)) return Malformed("subscription options missing");
      if (auto checked = CheckSubscriptionOptions(options, version); !checked.ok()) {
        return checked;
      }
    }
    p.filters.push_back(std::move(filter));
  }
  if (p.filters.empty()) return Fail(reason::kProtocolError, "no topic filter");
  return Ok(std::move(p));
}

DecodeResult DecodeDisconnect(ByteReader& r, ProtocolVersion version) {
  DisconnectPacket d;
  if (version == ProtocolVersion::kV5 && !r.empty()) {
    if (!r.ReadByte(d.reason_code)) return Malformed("DISCONNECT truncated");
    if (!r.empty()) {
      Properties props;
      PropertyError error;
      if (!ReadProperties(r, PropertyContext::kDisconnect, props, error)) {
        return Refused("DISCONNECT", error);
      }
    }
  }
  if (!r.empty()) return Malformed("DISCONNECT has trailing bytes");
  return Ok(d);
}

uint8_t RequiredFlags(PacketType type) {
  switch (type) {
    case PacketType::kPubrel:
    case PacketType::kSubscribe:
    case PacketType::kUnsubscribe:
      return 0x02;
    default:
      return 0x00;
  }
}

}  // namespace

FrameStatus ParseFixedHeader(std::string_view buffer, FixedHeader& out) {
  if (buffer.empty()) return FrameStatus::kIncomplete;
  const auto first = static_cast<uint8_t>(buffer[0]);
  if ((first >> 4) == 0) return FrameStatus::kMalformed;
  out.type = static_cast<PacketType>(first >> 4);
  out.flags = first & 0x0f;
  uint32_t value = 0;
  for (size_t i = 1; i <= 4; ++i) {
    if (i >= buffer.size()) return FrameStatus::kIncomplete;
    const auto b = static_cast<uint8_t>(buffer[i]);
    value |= static_cast<uint32_t>(b & 0x7f) << (7 * (i - 1));
    if ((b & 0x80) == 0) {
      out.remaining_length = value;
      out.header_bytes = i + 1;
      return FrameStatus::kComplete;
    }
  }
  return FrameStatus::kMalformed;
}

DecodeResult DecodeClientPacket(const FixedHeader& header, std::string_view body,
                                ProtocolVersion version) {
  ByteReader r(body);
  if (header.type != PacketType::kPublish && header.flags != RequiredFlags(header.type)) {
    return Malformed("reserved fixed-header flags set");
  }
  switch (header.type) {
    case PacketType::kConnect:
      return DecodeConnect(r);
    case PacketType::kPublish:
      return DecodePublish(header.flags, r, version);
    case PacketType::kSubscribe:
      return DecodeFilters<SubscribePacket>(r, version, true);
    case PacketType::kUnsubscribe:
      return DecodeFilters<UnsubscribePacket>(r, version, false);
    case PacketType::kPingreq:
      if (!r.empty()) return Malformed("PINGREQ with a body");
      return Ok(PingreqPacket{});
    case PacketType::kDisconnect:
      return DecodeDisconnect(r, version);
    default:
      return Fail(reason::kProtocolError, "packet type not accepted from a device");
  }
}

}  // namespace vigil::ingest::mqtt
