#include "api/api_service.h"

#include "api/api_errors.h"

namespace vigil::api {

bool ApiService::Serves(std::string_view path) {
  for (std::string_view prefix :
       {"/auth/", "/admin/", "/security/", "/privacy/", "/fhir/", "/ledger/"}) {
    if (path.substr(0, prefix.size()) == prefix) return true;
  }
  return path == "/fhir";
}

HttpReply ApiService::Handle(const ApiRequest& request) {
  const std::string& path = request.path;
  const auto under = [&](std::string_view prefix) { return path.rfind(prefix, 0) == 0; };
  if (under("/auth/")) return auth_.Handle(request);
  if (under("/ledger/")) return ledger_.Handle(request);
  const bool fhir = under("/fhir");
  if (path == "/fhir/metadata") return fhir_.Metadata(request);
  auto session = context_.deps.auth.Authenticate(request.BearerToken(), request.peer_address);
  if (!session.ok()) return fhir ? FhirError(session.status()) : ProblemFor(session.status());
  if (session->must_change_password) {
    const Status change = Status::PermissionDenied(
        "the initial password must be changed first (POST /auth/password)");
    return fhir ? FhirError(change) : ProblemFor(change);
  }
  if (BulkRoutes::Serves(path)) return bulk_.Handle(request, *session);
  if (fhir) return fhir_.Handle(request, *session);
  if (under("/security/alerts")) return alerts_.Handle(request, *session);
  if (under("/security/incidents")) return incidents_.Handle(request, *session);
  if (under("/security/address-blocks")) return containment_.Handle(request, *session);
  if (under("/privacy/")) return privacy_.Handle(request, *session);
  return admin_.Handle(request, *session);
}

}  // namespace vigil::api
