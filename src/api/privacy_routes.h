// /privacy/patients/{id}: the privacy officer's (DPO's) requests about one patient — where the
// record stands (GET), legal hold and restriction of processing placed or lifted, erasure —
// each authorized (manage-privacy), made through privacy/patient_privacy and recorded.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

// A /privacy/patients/{id}[/verb] path: the patient's id (non-empty, no '/') and the verb after
// it ("" for the patient's standing; "erase", "legal-hold", "restriction/lift", ...).
struct PrivacyTarget {
  std::string patient_id;
  std::string verb;
};
std::optional<PrivacyTarget> ParsePrivacyPath(std::string_view path);

class PrivacyRoutes {
 public:
  explicit PrivacyRoutes(RouteContext& context) : context_(context), deps_(context.deps) {}

  // A session's request under /privacy/.
  HttpReply Handle(const ApiRequest& request, const Session& session);

 private:
  HttpReply Standing(const ApiRequest& request, const Session& session, const std::string& id);
  HttpReply Erase(const ApiRequest& request, const Session& session, const std::string& id);
  HttpReply ChangeFlag(const ApiRequest& request, const Session& session, const std::string& id,
                       store::PatientFlag flag, bool set);

  RouteContext& context_;
  ApiDependencies& deps_;
};

}  // namespace vigil::api
