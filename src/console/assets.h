// The console's static assets, compiled into the binary (no files to serve, nothing to tamper
// with on disk): its stylesheet, its icon, and its one script (the idle sign-out).
#pragma once

#include <optional>
#include <string_view>

namespace vigil::console {

inline constexpr std::string_view kStylesheetPath = "/console/assets/console.css";
inline constexpr std::string_view kIconPath = "/console/assets/icon.svg";
inline constexpr std::string_view kIdleScriptPath = "/console/assets/idle.js";

// The asset at `path` and its content type; nullopt if there is none.
struct Asset {
  std::string_view content_type;
  std::string_view body;
};
std::optional<Asset> FindAsset(std::string_view path);

}  // namespace vigil::console
