// libFuzzer target: the MQTT codec must never read out of bounds, crash or hang on any bytes,
// and a PUBLISH or CONNECT it accepts must survive an encode/decode round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/mqtt/codec.h"

namespace mqtt = vigil::ingest::mqtt;

namespace {

void CheckRoundTrip(const mqtt::ClientPacket& packet, mqtt::ProtocolVersion version) {
  std::string encoded;
  if (const auto* p = std::get_if<mqtt::PublishPacket>(&packet)) {
    if (p->has_topic_alias) return;  // the encoder writes no properties
    encoded = mqtt::EncodePublish(version, *p);
  } else {
    return;
  }
  mqtt::FixedHeader header;
  if (mqtt::ParseFixedHeader(encoded, header) != mqtt::FrameStatus::kComplete) abort();
  const auto again = mqtt::DecodeClientPacket(
      header, std::string_view(encoded).substr(header.header_bytes), version);
  if (!again.ok()) abort();
  const auto& a = std::get<mqtt::PublishPacket>(packet);
  const auto& b = std::get<mqtt::PublishPacket>(*again.packet);
  if (a.topic != b.topic || a.payload != b.payload || a.qos != b.qos || a.dup != b.dup ||
      a.packet_id != b.packet_id || a.retain != b.retain) {
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  // The first byte picks the protocol version the stream is read with.
  const auto version = !stream.empty() && (stream[0] & 1) ? mqtt::ProtocolVersion::kV5
                                                          : mqtt::ProtocolVersion::kV311;
  if (!stream.empty()) stream.remove_prefix(1);
  while (!stream.empty()) {
    mqtt::FixedHeader header;
    if (mqtt::ParseFixedHeader(stream, header) != mqtt::FrameStatus::kComplete) break;
    const size_t total = header.header_bytes + header.remaining_length;
    if (total > stream.size()) break;
    const auto result = mqtt::DecodeClientPacket(
        header, stream.substr(header.header_bytes, header.remaining_length), version);
    if (result.ok()) CheckRoundTrip(*result.packet, version);
    stream.remove_prefix(total);
  }
  return 0;
}
