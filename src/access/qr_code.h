// QR codes (libqrencode) for TOTP enrolment: drawn in a terminal with Unicode half blocks, or
// written as a PNG file (0600: it carries a secret).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::access {

// The QR code of `text` as lines of Unicode half blocks (dark on a light terminal and the
// reverse both scan: a quiet zone of light modules surrounds it).
Result<std::string> QrCodeForTerminal(std::string_view text);

// The QR code of `text` for an SVG image: the path data of its dark modules (one unit a module,
// rows merged into runs) inside a square of `size` units, the quiet zone included. Only digits,
// spaces and the letters M, h, v, H and z: safe in an attribute.
struct QrSvgPath {
  int size = 0;
  std::string path;
};
Result<QrSvgPath> QrCodeSvgPath(std::string_view text);

// Writes the QR code of `text` to `path` as a grayscale PNG, 8 pixels a module.
Status WriteQrCodePng(std::string_view text, const std::string& path);

}  // namespace vigil::access
