// Fixed-width big-endian integers in byte strings, for the on-disk and ledger encodings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

// Appends the low `bytes` (1 to 8) bytes of `value`, most significant first.
inline void PutBigEndian(std::string& out, uint64_t value, int bytes) {
  char buffer[8];  // written whole, then appended once: one capacity check, not one a byte
  for (int i = bytes - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  out.append(buffer, static_cast<size_t>(bytes));
}

// Reads `bytes` bytes from the front of `in` and drops them; false if `in` is too short.
inline bool ReadBigEndian(std::string_view& in, int bytes, uint64_t& value) {
  if (in.size() < static_cast<size_t>(bytes)) return false;
  value = 0;
  for (int i = 0; i < bytes; ++i)
    value = (value << 8) | static_cast<uint8_t>(in[static_cast<size_t>(i)]);
  in.remove_prefix(static_cast<size_t>(bytes));
  return true;
}

}  // namespace vigil
