// /security/incidents: the security officer lists incidents, reads one with its alerts and
// timeline, gets its breach report (JSON, or Markdown with ?format=markdown), and closes it.
// Closing and every breach report are recorded in the ledger.
#pragma once

#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

class IncidentRoutes {
 public:
  explicit IncidentRoutes(RouteContext& context) : context_(context), deps_(context.deps) {}

  // A session's request under /security/incidents.
  HttpReply Handle(const ApiRequest& request, const Session& session);

 private:
  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
