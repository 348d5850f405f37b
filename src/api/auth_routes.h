// /auth/*: login (password), MFA (TOTP), logout and password change. Login and MFA need no
// session; the throttle answers 429 with Retry-After.
#pragma once

#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

class AuthRoutes {
 public:
  explicit AuthRoutes(RouteContext& context) : context_(context), deps_(context.deps) {}

  // A request under /auth/.
  HttpReply Handle(const ApiRequest& request);

 private:
  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
