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

// Writes the QR code of `text` to `path` as a grayscale PNG, 8 pixels a module.
Status WriteQrCodePng(std::string_view text, const std::string& path);

}  // namespace vigil::access
