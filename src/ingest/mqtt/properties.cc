#include "ingest/mqtt/properties.h"

#include <array>
#include <bitset>

#include "ingest/mqtt/packets.h"

namespace vigil::ingest::mqtt {
namespace {

enum class Kind { kByte, kTwo, kFour, kVarint, kUtf8, kBinary, kPair };

constexpr uint8_t Bit(PropertyContext c) { return uint8_t{1} << static_cast<uint8_t>(c); }
constexpr uint8_t kConnect = Bit(PropertyContext::kConnect);
constexpr uint8_t kWill = Bit(PropertyContext::kWill);
constexpr uint8_t kPublish = Bit(PropertyContext::kPublish);
constexpr uint8_t kSubscribe = Bit(PropertyContext::kSubscribe);
constexpr uint8_t kUnsubscribe = Bit(PropertyContext::kUnsubscribe);
constexpr uint8_t kDisconnect = Bit(PropertyContext::kDisconnect);

// One row of MQTT 5 §2.2.2.2, restricted to the packets a client sends the hub. Properties only
// a server sends (CONNACK, PUBACK... and Subscription Identifier in a PUBLISH to a client) have
// no context here: a client that sends one sends a malformed packet.
struct Spec {
  uint8_t id;
  Kind kind;
  uint8_t contexts;   // where a client may send it
  bool zero_invalid;  // a value of 0 is a protocol error
  bool boolean;       // its value must be 0 or 1
};

constexpr std::array<Spec, 27> kSpecs = {{
    {0x01, Kind::kByte, kPublish | kWill, false, true},         // Payload Format Indicator
    {0x02, Kind::kFour, kPublish | kWill, false, false},        // Message Expiry Interval
    {0x03, Kind::kUtf8, kPublish | kWill, false, false},        // Content Type
    {0x08, Kind::kUtf8, kPublish | kWill, false, false},        // Response Topic
    {0x09, Kind::kBinary, kPublish | kWill, false, false},      // Correlation Data
    {0x0B, Kind::kVarint, kSubscribe, true, false},             // Subscription Identifier
    {0x11, Kind::kFour, kConnect | kDisconnect, false, false},  // Session Expiry Interval
    {0x12, Kind::kUtf8, 0, false, false},                       // Assigned Client Identifier
    {0x13, Kind::kTwo, 0, false, false},                        // Server Keep Alive
    {0x15, Kind::kUtf8, kConnect, false, false},                // Authentication Method
    {0x16, Kind::kBinary, kConnect, false, false},              // Authentication Data
    {0x17, Kind::kByte, kConnect, false, true},                 // Request Problem Information
    {0x18, Kind::kFour, kWill, false, false},                   // Will Delay Interval
    {0x19, Kind::kByte, kConnect, false, true},                 // Request Response Information
    {0x1A, Kind::kUtf8, 0, false, false},                       // Response Information
    {0x1C, Kind::kUtf8, kDisconnect, false, false},             // Server Reference
    {0x1F, Kind::kUtf8, kDisconnect, false, false},             // Reason String
    {0x21, Kind::kTwo, kConnect, true, false},                  // Receive Maximum
    {0x22, Kind::kTwo, kConnect, false, false},                 // Topic Alias Maximum
    {0x23, Kind::kTwo, kPublish, true, false},                  // Topic Alias
    {0x24, Kind::kByte, 0, false, false},                       // Maximum QoS
    {0x25, Kind::kByte, 0, false, false},                       // Retain Available
    {0x26, Kind::kPair, kConnect | kWill | kPublish | kSubscribe | kUnsubscribe | kDisconnect,
     false, false},                              // User Property
    {0x27, Kind::kFour, kConnect, true, false},  // Maximum Packet Size
    {0x28, Kind::kByte, 0, false, false},        // Wildcard Subscription Available
    {0x29, Kind::kByte, 0, false, false},        // Subscription Identifier Available
    {0x2A, Kind::kByte, 0, false, false},        // Shared Subscription Available
}};

const Spec* Find(uint8_t id) {
  for (const Spec& s : kSpecs) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::string Hex(uint8_t id) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[id >> 4] + kDigits[id & 0x0f];
}

bool Refuse(PropertyError& error, uint8_t code, std::string message) {
  error = {code, std::move(message)};
  return false;
}

}  // namespace

bool PropertyAllowed(uint8_t id, PropertyContext context) {
  const Spec* spec = Find(id);
  return spec && (spec->contexts & Bit(context));
}

bool ReadProperties(ByteReader& reader, PropertyContext context, Properties& out,
                    PropertyError& error) {
  uint32_t length;
  std::string_view block;
  if (!reader.ReadVarint(length) || !reader.ReadBytes(length, block)) {
    return Refuse(error, reason::kMalformedPacket, "property length malformed");
  }
  ByteReader props(block);
  std::bitset<256> seen;
  while (!props.empty()) {
    uint32_t id32;
    if (!props.ReadVarint(id32) || id32 > 0x7f) {
      return Refuse(error, reason::kMalformedPacket, "property identifier malformed");
    }
    const auto id = static_cast<uint8_t>(id32);
    const Spec* spec = Find(id);
    if (!spec || !(spec->contexts & Bit(context))) {
      return Refuse(error, reason::kMalformedPacket,
                    "property " + Hex(id) + " is not allowed in this packet");
    }
    if (id != property::kUserProperty && seen.test(id)) {
      return Refuse(error, reason::kProtocolError, "property " + Hex(id) + " given twice");
    }
    seen.set(id);
    uint8_t b = 0;
    uint16_t two = 0;
    uint32_t value = 0;
    std::string text, text2;
    bool read = false;
    switch (spec->kind) {
      case Kind::kByte:
        read = props.ReadByte(b);
        value = b;
        break;
      case Kind::kTwo:
        read = props.ReadUint16(two);
        value = two;
        break;
      case Kind::kFour:
        read = props.ReadUint32(value);
        break;
      case Kind::kVarint:
        read = props.ReadVarint(value);
        break;
      case Kind::kUtf8:
        read = props.ReadUtf8(text);
        break;
      case Kind::kBinary:
        read = props.ReadBinary(text);
        break;
      case Kind::kPair:
        read = props.ReadUtf8(text) && props.ReadUtf8(text2);
        break;
    }
    if (!read) {
      return Refuse(error, reason::kMalformedPacket, "property " + Hex(id) + " malformed");
    }
    const bool numeric =
        spec->kind != Kind::kUtf8 && spec->kind != Kind::kBinary && spec->kind != Kind::kPair;
    if (numeric && ((spec->zero_invalid && value == 0) || (spec->boolean && value > 1))) {
      return Refuse(error, reason::kProtocolError,
                    "property " + Hex(id) + " has a value outside its range");
    }
    if (id == property::kResponseTopic && text.find_first_of("+#") != std::string::npos) {
      return Refuse(error, reason::kProtocolError, "response topic holds a wildcard");
    }
    if (id == property::kReceiveMaximum) out.receive_maximum = two;
    if (id == property::kMaximumPacketSize) out.maximum_packet_size = value;
    if (id == property::kTopicAlias) out.has_topic_alias = true;
    if (id == property::kAuthenticationMethod) out.has_authentication_method = true;
  }
  if (seen.test(property::kAuthenticationData) && !seen.test(property::kAuthenticationMethod)) {
    return Refuse(error, reason::kProtocolError, "authentication data without a method");
  }
  return true;
}

}  // namespace vigil::ingest::mqtt
