// /security/address-blocks: the security officer sees which peer addresses containment has
// blocked from signing in (every hub's, from the store) and lifts a block with a reason, which
// the ledger records (address_unblocked); every hub lets the address sign in within a second.
#pragma once

#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

class ContainmentRoutes {
 public:
  explicit ContainmentRoutes(RouteContext& context) : context_(context), deps_(context.deps) {}

  // GET /security/address-blocks; POST /security/address-blocks/{address}/unblock
  // {"reason": "..."}.
  HttpReply Handle(const ApiRequest& request, const Session& session);

 private:
  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
