#include "api/containment_routes.h"

#include <nlohmann/json.hpp>

#include "api/api_errors.h"
#include "core/json_string.h"
#include "core/time_format.h"
#include "respond/address_blocks.h"

namespace vigil::api {

using nlohmann::json;

HttpReply ContainmentRoutes::Handle(const ApiRequest& request, const Session& session) {
  if (Status s =
          context_.Require(request, session, access::Action::kManageAlerts, "", "address-blocks");
      !s.ok()) {
    return ProblemFor(s);
  }
  constexpr std::string_view kPrefix = "/security/address-blocks";
  const int64_t now = deps_.clock.NowMillis();
  if (request.path == kPrefix) {
    if (request.method != "GET") return MethodNotAllowed("GET");
    auto blocks = deps_.store.alerts().ListAddressBlocks(now);
    if (!blocks.ok()) return ProblemFor(blocks.status());
    json items = json::array();
    for (const auto& b : *blocks) {
      items.push_back({{"address", b.address},
                       {"since", FormatRfc3339Millis(b.since_ms)},
                       {"until", FormatRfc3339Millis(b.until_ms)},
                       {"reason", b.reason}});
    }
    return HttpReply(200, "application/json", DumpJson({{"address_blocks", items}}));
  }
  constexpr std::string_view kVerb = "/unblock";
  const std::string_view path = request.path;
  if (path.size() <= kPrefix.size() + 1 + kVerb.size() || path[kPrefix.size()] != '/' ||
      !path.ends_with(kVerb)) {
    return Problem(404, "not_found", "Not found", "/security/address-blocks/{address}/unblock");
  }
  if (request.method != "POST") return MethodNotAllowed("POST");
  const std::string address(
      path.substr(kPrefix.size() + 1, path.size() - kPrefix.size() - 1 - kVerb.size()));
  auto reason = StringMembers(request.body, {"reason"});
  if (!reason.ok()) return ProblemFor(reason.status());
  if (Status s = respond::LiftAddressBlock(deps_.store.alerts(), deps_.audit, now, address,
                                           session.who.username, (*reason)[0]);
      !s.ok()) {
    return ProblemFor(s);
  }
  return HttpReply(200, "application/json", DumpJson({{"address", address}, {"unblocked", true}}));
}

}  // namespace vigil::api
