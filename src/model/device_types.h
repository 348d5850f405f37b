// The kinds of device a hub enrols (`vigil device enroll --type`), by name.
#pragma once

#include <set>
#include <string>

namespace vigil::model {

// "wearable", "pulse-oximeter", "bp-cuff", "cgm", "thermometer", "infusion-pump", "scale",
// "bedside-monitor".
const std::set<std::string>& DeviceTypes();

// The types above, comma-separated, for messages.
std::string DeviceTypeList();

}  // namespace vigil::model
