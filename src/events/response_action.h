// What a containment playbook does for an alert of a given kind (`[respond]` in config.toml).
#pragma once

#include <optional>
#include <string_view>

namespace vigil::events {

enum class ResponseAction {
  kQuarantineDevice,  // the alert's device is dropped and refused until released
  kBlockAddress,      // the alert's address is refused on both listeners for a while
  kRevokeSessions,    // the alert's user is logged out everywhere
  kNone,              // alert only
};

// "quarantine-device", "block-address", "revoke-sessions", "none".
std::string_view ResponseActionName(ResponseAction action);
std::optional<ResponseAction> ParseResponseAction(std::string_view name);

}  // namespace vigil::events
