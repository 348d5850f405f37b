// A patient's recent vital signs as a clinician or the patient sees them: the latest value of
// each kind (flagged when the hub doubts it) and a chart of each over the period. The caller has
// authorized and recorded the read; this reads, opens and renders, and tells detection how many
// rows were sent (as the FHIR API does).
#pragma once

#include <string>

#include "api/api_request.h"
#include "api/route_context.h"
#include "console/html.h"
#include "core/status.h"

namespace vigil::console {

// At most this many Observations, newest first, from the last `hours`.
inline constexpr uint64_t kChartRows = 2000;

Result<Html> VitalsView(api::RouteContext& context, const api::ApiRequest& request,
                        const api::Session& session, const std::string& patient_id, int hours);

}  // namespace vigil::console
