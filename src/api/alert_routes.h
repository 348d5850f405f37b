// /security/alerts: the security officer lists, reads, acknowledges and resolves the detection
// engine's alerts. Status changes are recorded in the ledger.
#pragma once

#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

class AlertRoutes {
 public:
  explicit AlertRoutes(RouteContext& context) : context_(context), deps_(context.deps) {}

  // A session's request under /security/alerts.
  HttpReply Handle(const ApiRequest& request, const Session& session);

 private:
  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
