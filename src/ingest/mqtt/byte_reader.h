// Bounds-checked reading and writing of MQTT's data types (MQTT 5.0 section 1.5): every read of
// a field either succeeds inside the buffer or fails as "malformed"; nothing reads past the end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::ingest::mqtt {

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  bool ReadByte(uint8_t& out);
  bool ReadUint16(uint16_t& out);
  bool ReadUint32(uint32_t& out);
  // Variable Byte Integer: at most 4 bytes, minimal or not (both are accepted by the spec).
  bool ReadVarint(uint32_t& out);
  // UTF-8 Encoded String: two-byte length, well-formed UTF-8, no U+0000, no surrogates.
  bool ReadUtf8(std::string& out);
  // Binary Data: two-byte length and bytes.
  bool ReadBinary(std::string& out);
  // Takes `n` bytes as a view.
  bool ReadBytes(size_t n, std::string_view& out);
  std::string_view Rest();

  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Whether `s` is well-formed UTF-8 with no U+0000 and no surrogate code points (MQTT-1.5.4-1/2).
bool IsValidMqttUtf8(std::string_view s);

// Appenders for encoding.
void PutByte(std::string& out, uint8_t b);
void PutUint16(std::string& out, uint16_t v);
void PutUint32(std::string& out, uint32_t v);
void PutVarint(std::string& out, uint32_t v);
void PutUtf8(std::string& out, std::string_view s);

}  // namespace vigil::ingest::mqtt
