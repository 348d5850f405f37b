// /ledger/*: the audit ledger's latest signed checkpoint and its proofs, for anyone to verify
// (no session; they carry hashes only, entries themselves are not served here).
#pragma once

#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

class LedgerRoutes {
 public:
  explicit LedgerRoutes(RouteContext& context) : context_(context), deps_(context.deps) {}

  // A request under /ledger/.
  HttpReply Handle(const ApiRequest& request);

 private:
  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
