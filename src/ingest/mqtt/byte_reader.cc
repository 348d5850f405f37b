#include "ingest/mqtt/byte_reader.h"

namespace vigil::ingest::mqtt {

bool ByteReader::ReadByte(uint8_t& out) {
  if (remaining() < 1) return false;
  out = static_cast<uint8_t>(data_[pos_++]);
  return true;
}

bool ByteReader::ReadUint16(uint16_t& out) {
  if (remaining() < 2) return false;
  out = static_cast<uint16_t>((static_cast<uint8_t>(data_[pos_]) << 8) |
                              static_cast<uint8_t>(data_[pos_ + 1]));
  pos_ += 2;
  return true;
}

bool ByteReader::ReadUint32(uint32_t& out) {
  if (remaining() < 4) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) out = (out << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 4;
  return true;
}

bool ByteReader::ReadVarint(uint32_t& out) {
  out = 0;
  for (int i = 0; i < 4; ++i) {
    uint8_t b;
    if (!ReadByte(b)) return false;
    out |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return true;
  }
  return false;  // a fifth byte would be needed: malformed
}

bool ByteReader::ReadBytes(size_t n, std::string_view& out) {
  if (remaining() < n) return false;
  out = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool ByteReader::ReadBinary(std::string& out) {
  uint16_t len;
  std::string_view bytes;
  if (!ReadUint16(len) || !ReadBytes(len, bytes)) return false;
  out.assign(bytes);
  return true;
}

bool ByteReader::ReadUtf8(std::string& out) { return ReadBinary(out) && IsValidMqttUtf8(out); }

std::string_view ByteReader::Rest() {
  std::string_view rest = data_.substr(pos_);
  pos_ = data_.size();
  return rest;
}

bool IsValidMqttUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<size_t>(extra) >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + static_cast<size_t>(k)]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

void PutByte(std::string& out, uint8_t b) { out.push_back(static_cast<char>(b)); }

void PutUint16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void PutUint32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void PutVarint(std::string& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (v);
}

void PutUtf8(std::string& out, std::string_view s) {
  PutUint16(out, static_cast<uint16_t>(s.size()));
  out.append(s);
}

}  // namespace vigil::ingest::mqtt
