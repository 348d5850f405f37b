// Alerts and incidents as JSON, the same for the HTTPS API and the CLI.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "store/alert_store.h"

namespace vigil::respond {

nlohmann::json AlertJson(const store::AlertRecord& alert);
nlohmann::json IncidentJson(const store::IncidentRecord& incident);
// An incident with its alerts and timeline.
nlohmann::json IncidentDetailJson(const store::IncidentRecord& incident,
                                  const std::vector<store::AlertRecord>& alerts,
                                  const std::vector<store::IncidentEvent>& timeline);

}  // namespace vigil::respond
