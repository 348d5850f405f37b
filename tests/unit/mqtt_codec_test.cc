#include <gtest/gtest.h>

#include "ingest/mqtt/codec.h"

namespace vigil::ingest::mqtt {
namespace {

DecodeResult DecodeFrame(const std::string& frame, ProtocolVersion v = ProtocolVersion::kV311) {
  FixedHeader h;
  EXPECT_EQ(ParseFixedHeader(frame, h), FrameStatus::kComplete);
  EXPECT_EQ(h.header_bytes + h.remaining_length, frame.size());
  return DecodeClientPacket(h, std::string_view(frame).substr(h.header_bytes), v);
}

TEST(MqttCodecTest, ConnectRoundTripsInBothVersions) {
  for (auto v : {ProtocolVersion::kV311, ProtocolVersion::kV5}) {
    ConnectPacket c;
    c.version = v;
    c.client_id = "dev-0001";
    c.keep_alive_seconds = 30;
    const auto r = DecodeFrame(EncodeConnect(c));
    ASSERT_TRUE(r.ok()) << r.error.message;
    const auto& got = std::get<ConnectPacket>(*r.packet);
    EXPECT_EQ(got.version, v);
    EXPECT_EQ(got.client_id, "dev-0001");
    EXPECT_EQ(got.keep_alive_seconds, 30);
  }
}

TEST(MqttCodecTest, PublishRoundTripsWithQosAndDup) {
  PublishPacket p;
  p.qos = 1;
  p.dup = true;
  p.packet_id = 513;
  p.topic = "devices/dev-0001/vitals";
  p.payload = std::string(300, 'x');  // a two-byte remaining length
  for (auto v : {ProtocolVersion::kV311, ProtocolVersion::kV5}) {
    const auto r = DecodeFrame(EncodePublish(v, p), v);
    ASSERT_TRUE(r.ok()) << r.error.message;
    const auto& got = std::get<PublishPacket>(*r.packet);
    EXPECT_EQ(got.qos, 1);
    EXPECT_TRUE(got.dup);
    EXPECT_EQ(got.packet_id, 513);
    EXPECT_EQ(got.topic, p.topic);
    EXPECT_EQ(got.payload, p.payload);
  }
}

TEST(MqttCodecTest, SubscribeRoundTripsInBothVersions) {
  SubscribePacket s;
  s.packet_id = 9;
  s.filters = {"devices/#", "a/+/b"};
  for (auto v : {ProtocolVersion::kV311, ProtocolVersion::kV5}) {
    const auto r = DecodeFrame(EncodeSubscribe(v, s), v);
    ASSERT_TRUE(r.ok()) << r.error.message;
    const auto& got = std::get<SubscribePacket>(*r.packet);
    EXPECT_EQ(got.packet_id, 9);
    EXPECT_EQ(got.filters, s.filters);
  }
}

TEST(MqttCodecTest, FixedHeaderNeedsMoreOrIsMalformed) {
  FixedHeader h;
  EXPECT_EQ(ParseFixedHeader("", h), FrameStatus::kIncomplete);
  EXPECT_EQ(ParseFixedHeader("\x30", h), FrameStatus::kIncomplete);
  EXPECT_EQ(ParseFixedHeader("\x30\xff\xff", h), FrameStatus::kIncomplete);
  EXPECT_EQ(ParseFixedHeader(std::string("\x30\xff\xff\xff\xff\x01", 6), h),
            FrameStatus::kMalformed);
  EXPECT_EQ(ParseFixedHeader(std::string("\x00\x00", 2), h), FrameStatus::kMalformed);
}

TEST(MqttCodecTest, RefusesMalformedPackets) {
  // QoS 3.
  EXPECT_FALSE(DecodeFrame(std::string("\x36\x03\x00\x01t", 5)).ok());
  // Wildcard in a topic name.
  auto wild = DecodeFrame(std::string("\x30\x03\x00\x01#", 5));
  ASSERT_FALSE(wild.ok());
  EXPECT_EQ(wild.error.reason_code, reason::kTopicNameInvalid);
  // String length past the end.
  EXPECT_FALSE(DecodeFrame(std::string("\x30\x03\x00\x09t", 5)).ok());
  // Invalid UTF-8 in the topic.
  EXPECT_FALSE(DecodeFrame(std::string("\x30\x04\x00\x02\xc3\x28", 6)).ok());
  // SUBSCRIBE with wrong reserved flags.
  EXPECT_FALSE(DecodeFrame(std::string("\x80\x06\x00\x01\x00\x01t\x00", 8)).ok());
  // PINGREQ with a body.
  EXPECT_FALSE(DecodeFrame(std::string("\xc0\x01\x00", 3)).ok());
  // A device may not send PUBACK.
  auto puback = DecodeFrame(std::string("\x40\x02\x00\x01", 4));
  ASSERT_FALSE(puback.ok());
  EXPECT_EQ(puback.error.reason_code, reason::kProtocolError);
}

TEST(MqttCodecTest, RefusesOldProtocolVersions) {
  const std::string mqisdp("\x10\x0e\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x00", 16);
  const auto r = DecodeFrame(mqisdp);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.reason_code, reason::kUnsupportedProtocolVersion);
}

TEST(MqttCodecTest, V5PropertiesAreCheckedAndRead) {
  ConnectPacket c;
  c.version = ProtocolVersion::kV5;
  c.client_id = "d";
  c.receive_maximum = 10;
  const auto r = DecodeFrame(EncodeConnect(c));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<ConnectPacket>(*r.packet).receive_maximum, 10);
  // An unknown property id (0x7f) is malformed.
  std::string bad("\x10\x0f\x00\x04MQTT\x05\x02\x00\x3c\x02\x7f\x00\x00\x00", 17);
  bad[1] = static_cast<char>(bad.size() - 2);
  EXPECT_FALSE(DecodeFrame(bad).ok());
}

TEST(MqttCodecTest, PubackCarriesReasonOnlyInV5) {
  EXPECT_EQ(EncodePuback(ProtocolVersion::kV311, 7, reason::kPayloadFormatInvalid, "bad"),
            std::string("\x40\x02\x00\x07", 4));
  const std::string v5 = EncodePuback(ProtocolVersion::kV5, 7, reason::kPayloadFormatInvalid, "");
  EXPECT_EQ(v5, std::string("\x40\x04\x00\x07\x99\x00", 6));
  EXPECT_EQ(EncodePuback(ProtocolVersion::kV5, 7, reason::kSuccess, ""),
            std::string("\x40\x02\x00\x07", 4));
}

}  // namespace
}  // namespace vigil::ingest::mqtt
