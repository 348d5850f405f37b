// /ledger/*: the audit ledger's signed checkpoints and proofs, and the log as C2SP tlog-tiles
// under /ledger/<hub name>/ (its origin's path), for anyone to verify: no session; hashes and
// the entries' public commitments only, never entries themselves.
#pragma once

#include <string_view>

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
  HttpReply Tiles(std::string_view resource);
  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
