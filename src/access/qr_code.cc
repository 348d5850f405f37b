#include "access/qr_code.h"

#include <qrencode.h>
#include <zlib.h>

#include <memory>
#include <vector>

#include "core/big_endian.h"
#include "core/files.h"

namespace vigil::access {
namespace {

constexpr int kQuietZone = 4;  // modules of light border, as ISO/IEC 18004 asks
constexpr int kPixelsPerModule = 8;

// The code as a square of booleans (true = dark), quiet zone included.
struct Matrix {
  int size = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const {
    return x >= 0 && y >= 0 && x < size && y < size && dark[static_cast<size_t>(y * size + x)];
  }
};

Result<Matrix> Encode(std::string_view text) {
  const std::string copy(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(copy.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) return Status::Internal("the text does not fit in a QR code");
  Matrix m;
  m.size = code->width + 2 * kQuietZone;
  m.dark.assign(static_cast<size_t>(m.size * m.size), false);
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      const bool dark = (code->data[y * code->width + x] & 1) != 0;
      m.dark[static_cast<size_t>((y + kQuietZone) * m.size + x + kQuietZone)] = dark;
    }
  }
  return m;
}

void AppendChunk(std::string& png, std::string_view type, std::string_view data) {
  PutBigEndian(png, static_cast<uint32_t>(data.size()), 4);
  std::string body(type);
  body += data;
  png += body;
  const auto crc =
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  PutBigEndian(png, static_cast<uint32_t>(crc), 4);
}

}  // namespace

Result<QrSvgPath> QrCodeSvgPath(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(Matrix m, Encode(text));
  QrSvgPath out;
  out.size = m.size;
  for (int y = 0; y < m.size; ++y) {
    for (int x = 0; x < m.size;) {
      if (!m.at(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (m.at(x + run, y)) ++run;
      out.path += "M" + std::to_string(x) + " " + std::to_string(y) + "h" + std::to_string(run) +
                  "v1H" + std::to_string(x) + "z";
      x += run;
    }
  }
  return out;
}

Result<std::string> QrCodeForTerminal(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(Matrix m, Encode(text));
  // Two module rows per text line: upper half block, lower half block, full block or space,
  // drawn so that dark modules are printed as spaces on a light ("inverted") background.
  std::string out;
  for (int y = 0; y < m.size; y += 2) {
    for (int x = 0; x < m.size; ++x) {
      const bool top = !m.at(x, y), bottom = !m.at(x, y + 1) && y + 1 < m.size;
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += '\n';
  }
  return out;
}

Status WriteQrCodePng(std::string_view text, const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(Matrix m, Encode(text));
  const int side = m.size * kPixelsPerModule;
  std::string raw;  // filter byte 0 then one gray byte per pixel, per row
  raw.reserve(static_cast<size_t>(side * (side + 1)));
  for (int py = 0; py < side; ++py) {
    raw.push_back('\0');
    for (int px = 0; px < side; ++px) {
      raw.push_back(m.at(px / kPixelsPerModule, py / kPixelsPerModule) ? '\0' : '\xff');
    }
  }
  uLongf packed_len = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_len, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_len,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    return Status::Internal("zlib could not compress the QR image");
  }
  packed.resize(packed_len);
  std::string header;
  PutBigEndian(header, static_cast<uint32_t>(side), 4);
  PutBigEndian(header, static_cast<uint32_t>(side), 4);
  header += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit gray, no interlace
  std::string png = "\x89PNG\r\n\x1a\n";
  AppendChunk(png, "IHDR", header);
  AppendChunk(png, "IDAT", packed);
  AppendChunk(png, "IEND", "");
  return WriteFileAtomic(path, png);
}

}  // namespace vigil::access
