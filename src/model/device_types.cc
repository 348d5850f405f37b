#include "model/device_types.h"

namespace vigil::model {

const std::set<std::string>& DeviceTypes() {
  static const std::set<std::string> kTypes = {"wearable", "pulse-oximeter", "bp-cuff",
                                               "cgm",      "thermometer",    "infusion-pump",
                                               "scale",    "bedside-monitor"};
  return kTypes;
}

std::string DeviceTypeList() {
  std::string types;
  for (const auto& t : DeviceTypes()) types += (types.empty() ? "" : ", ") + t;
  return types;
}

}  // namespace vigil::model
