#include <gtest/gtest.h>

#include "ingest/mqtt/codec.h"
#include "ingest/mqtt/properties.h"

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

// MQTT 5 §2.2.2.2, transcribed apart from the codec's own table: which client-sent packets may
// carry each property (C connect, W will, P publish, S subscribe, U unsubscribe, D disconnect).
struct PropertyRow {
  uint8_t id;
  const char* where;
  std::string value;  // a valid encoding of its value
};

std::string Utf8(std::string_view s) {
  return std::string{static_cast<char>(s.size() >> 8), static_cast<char>(s.size() & 0xff)} +
         std::string(s);
}

const std::vector<PropertyRow>& SpecRows() {
  static const std::vector<PropertyRow> rows = {
      {0x01, "PW", std::string("\x01", 1)},
      {0x02, "PW", std::string("\0\0\0\x05", 4)},
      {0x03, "PW", Utf8("text/json")},
      {0x08, "PW", Utf8("reply/here")},
      {0x09, "PW", Utf8("corr")},
      {0x0B, "S", std::string("\x07", 1)},
      {0x11, "CD", std::string("\0\0\0\x05", 4)},
      {0x12, "", Utf8("id")},
      {0x13, "", std::string("\0\x05", 2)},
      {0x15, "C", Utf8("SCRAM")},
      {0x16, "", Utf8("data")},  // only with a method (below)
      {0x17, "C", std::string("\x01", 1)},
      {0x18, "W", std::string("\0\0\0\x05", 4)},
      {0x19, "C", std::string("\x01", 1)},
      {0x1A, "", Utf8("info")},
      {0x1C, "D", Utf8("other.example")},
      {0x1F, "D", Utf8("why")},
      {0x21, "C", std::string("\0\x05", 2)},
      {0x22, "C", std::string("\0\x05", 2)},
      {0x23, "P", std::string("\0\x05", 2)},
      {0x24, "", std::string("\x01", 1)},
      {0x25, "", std::string("\x01", 1)},
      {0x26, "CWPSUD", Utf8("k") + Utf8("v")},
      {0x27, "C", std::string("\0\0\x10\0", 4)},
      {0x28, "", std::string("\x01", 1)},
      {0x29, "", std::string("\x01", 1)},
      {0x2A, "", std::string("\x01", 1)},
  };
  return rows;
}

bool ReadsBlock(const std::string& props, PropertyContext context, PropertyError& error) {
  std::string block{static_cast<char>(props.size())};
  block += props;
  ByteReader reader(block);
  Properties out;
  return ReadProperties(reader, context, out, error);
}

TEST(MqttPropertiesTest, EveryPropertyIsAcceptedExactlyWhereTheSpecificationAllowsIt) {
  const std::pair<char, PropertyContext> contexts[] = {
      {'C', PropertyContext::kConnect},     {'W', PropertyContext::kWill},
      {'P', PropertyContext::kPublish},     {'S', PropertyContext::kSubscribe},
      {'U', PropertyContext::kUnsubscribe}, {'D', PropertyContext::kDisconnect}};
  for (const auto& row : SpecRows()) {
    for (const auto& [letter, context] : contexts) {
      const bool allowed = std::string_view(row.where).find(letter) != std::string_view::npos;
      PropertyError error;
      const std::string props = std::string(1, static_cast<char>(row.id)) + row.value;
      EXPECT_EQ(ReadsBlock(props, context, error), allowed)
          << "property 0x" << std::hex << int(row.id) << " in " << letter << ": " << error.message;
      if (!allowed) {  // authentication data alone is allowed there, but needs a method
        const bool needs_method = row.id == 0x16 && letter == 'C';
        EXPECT_EQ(error.reason_code,
                  needs_method ? reason::kProtocolError : reason::kMalformedPacket);
      }
    }
  }
  for (int id = 0; id < 0x80; ++id) {  // identifiers the specification does not define
    bool defined = false;
    for (const auto& row : SpecRows()) defined |= row.id == id;
    if (defined) continue;
    PropertyError error;
    EXPECT_FALSE(
        ReadsBlock(std::string{static_cast<char>(id), 0}, PropertyContext::kConnect, error));
  }
}

TEST(MqttPropertiesTest, RepeatsRangesAndDependenciesAreProtocolErrors) {
  const auto refused = [](const std::string& props, PropertyContext c) {
    PropertyError error;
    EXPECT_FALSE(ReadsBlock(props, c, error)) << "accepted";
    return error.reason_code;
  };
  const std::string two_problem = "\x17\x01\x17\x01";
  EXPECT_EQ(refused(two_problem, PropertyContext::kConnect), reason::kProtocolError);
  EXPECT_EQ(refused(std::string("\x17\x02", 2), PropertyContext::kConnect),
            reason::kProtocolError);  // request problem information = 2
  EXPECT_EQ(refused(std::string("\x19\x02", 2), PropertyContext::kConnect),
            reason::kProtocolError);  // request response information = 2
  EXPECT_EQ(refused(std::string("\x01\x02", 2), PropertyContext::kPublish),
            reason::kProtocolError);  // payload format indicator = 2
  EXPECT_EQ(refused(std::string("\x0B\x00", 2), PropertyContext::kSubscribe),
            reason::kProtocolError);  // subscription identifier 0
  EXPECT_EQ(refused(std::string("\x0B\x01\x0B\x02", 4), PropertyContext::kSubscribe),
            reason::kProtocolError);  // ... given twice
  EXPECT_EQ(refused(std::string("\x21\x00\x00", 3), PropertyContext::kConnect),
            reason::kProtocolError);  // receive maximum 0
  EXPECT_EQ(refused(std::string("\x27\x00\x00\x00\x00", 5), PropertyContext::kConnect),
            reason::kProtocolError);  // maximum packet size 0
  EXPECT_EQ(refused(std::string("\x23\x00\x00", 3), PropertyContext::kPublish),
            reason::kProtocolError);  // topic alias 0
  EXPECT_EQ(refused("\x16" + Utf8("data"), PropertyContext::kConnect),
            reason::kProtocolError);  // authentication data without a method
  EXPECT_EQ(refused("\x08" + Utf8("a/+/b"), PropertyContext::kPublish), reason::kProtocolError);
  PropertyError error;
  EXPECT_TRUE(
      ReadsBlock("\x15" + Utf8("SCRAM") + "\x16" + Utf8("data"), PropertyContext::kConnect, error));
  EXPECT_TRUE(ReadsBlock("\x26" + Utf8("a") + Utf8("b") + "\x26" + Utf8("a") + Utf8("c"),
                         PropertyContext::kPublish, error));  // user properties may repeat
}

TEST(MqttCodecTest, SubscriptionOptionsReservedBitsAndRetainHandling3AreRefused) {
  const auto subscribe = [](uint8_t options, ProtocolVersion v) {
    std::string body = std::string("\x00\x01", 2);
    if (v == ProtocolVersion::kV5) body += '\0';
    body += Utf8("devices/dev-0001/cmd") + std::string(1, static_cast<char>(options));
    return DecodeFrame(std::string{'\x82', static_cast<char>(body.size())} + body, v);
  };
  EXPECT_TRUE(subscribe(0x01, ProtocolVersion::kV5).ok());
  EXPECT_TRUE(subscribe(0x2D, ProtocolVersion::kV5).ok());  // no local, RAP, handling 2, QoS 1
  EXPECT_EQ(subscribe(0x31, ProtocolVersion::kV5).error.reason_code, reason::kProtocolError);
  EXPECT_EQ(subscribe(0x41, ProtocolVersion::kV5).error.reason_code, reason::kMalformedPacket);
  EXPECT_EQ(subscribe(0x04, ProtocolVersion::kV311).error.reason_code, reason::kMalformedPacket);
  EXPECT_EQ(subscribe(0x03, ProtocolVersion::kV311).error.reason_code, reason::kMalformedPacket);
}

}  // namespace
}  // namespace vigil::ingest::mqtt
