#include "ingest/mqtt/properties.h"

#include <bitset>

namespace vigil::ingest::mqtt {
namespace {

enum class Kind { kByte, kTwo, kFour, kVarint, kUtf8, kBinary, kPair, kUnknown };

Kind KindOf(uint8_t id) {
  switch (id) {
    case 0x01:
    case 0x17:
    case 0x19:
    case 0x24:
    case 0x25:
    case 0x28:
    case 0x29:
    case 0x2A:
      return Kind::kByte;
    case 0x13:
    case 0x21:
    case 0x22:
    case 0x23:
      return Kind::kTwo;
    case 0x02:
    case 0x11:
    case 0x18:
    case 0x27:
      return Kind::kFour;
    case 0x0B:
      return Kind::kVarint;
    case 0x03:
    case 0x08:
    case 0x12:
    case 0x15:
    case 0x1A:
    case 0x1C:
    case 0x1F:
      return Kind::kUtf8;
    case 0x09:
    case 0x16:
      return Kind::kBinary;
    case 0x26:
      return Kind::kPair;
    default:
      return Kind::kUnknown;
  }
}

}  // namespace

bool ReadProperties(ByteReader& reader, Properties& out) {
  uint32_t length;
  std::string_view block;
  if (!reader.ReadVarint(length) || !reader.ReadBytes(length, block)) return false;
  ByteReader props(block);
  std::bitset<256> seen;
  while (!props.empty()) {
    uint32_t id32;
    if (!props.ReadVarint(id32) || id32 > 0xff) return false;
    const auto id = static_cast<uint8_t>(id32);
    // Only User Property (and Subscription Identifier in PUBLISH to clients) may repeat.
    if (id != 0x26 && id != 0x0B && seen.test(id)) return false;
    seen.set(id);
    uint8_t b;
    uint16_t two;
    uint32_t four;
    std::string text, text2;
    switch (KindOf(id)) {
      case Kind::kByte:
        if (!props.ReadByte(b)) return false;
        break;
      case Kind::kTwo:
        if (!props.ReadUint16(two)) return false;
        if (id == property::kReceiveMaximum) {
          out.receive_maximum = two;
          out.receive_maximum_zero = two == 0;
        }
        if (id == property::kTopicAlias) out.has_topic_alias = true;
        break;
      case Kind::kFour:
        if (!props.ReadUint32(four)) return false;
        if (id == property::kMaximumPacketSize) {
          if (four == 0) return false;
          out.maximum_packet_size = four;
        }
        break;
      case Kind::kVarint:
        if (!props.ReadVarint(four)) return false;
        break;
      case Kind::kUtf8:
        if (!props.ReadUtf8(text)) return false;
        if (id == 0x15) out.has_authentication_method = true;
        break;
      case Kind::kBinary:
        if (!props.ReadBinary(text)) return false;
        break;
      case Kind::kPair:
        if (!props.ReadUtf8(text) || !props.ReadUtf8(text2)) return false;
        break;
      case Kind::kUnknown:
        return false;
    }
  }
  return true;
}

}  // namespace vigil::ingest::mqtt
