// /admin/* and /security/reviews: unlocking logins and revoking sessions, care-team changes,
// and the break-glass reviews; each authorized and recorded.
#pragma once

#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

class AdminRoutes {
 public:
  explicit AdminRoutes(RouteContext& context) : context_(context), deps_(context.deps) {}

  // A session's request under /admin/ or for /security/reviews.
  HttpReply Handle(const ApiRequest& request, const Session& session);

 private:
  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
