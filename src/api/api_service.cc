#include "api/api_service.h"

#include <spdlog/spdlog.h>

#include "api/fhir_resources.h"

namespace vigil::api {
namespace {

struct HttpError {
  int status;
  std::string_view fhir_code;
  std::string_view problem_kind;
};

HttpError ErrorFor(StatusCode code) {
  switch (code) {
    case StatusCode::kUnauthenticated:
      return {401, "login", "unauthenticated"};
    case StatusCode::kPermissionDenied:
      return {403, "forbidden", "forbidden"};
    case StatusCode::kNotFound:
      return {404, "not-found", "not_found"};
    case StatusCode::kInvalidArgument:
      return {400, "invalid", "invalid"};
    case StatusCode::kAlreadyExists:
      return {409, "duplicate", "conflict"};
    case StatusCode::kFailedPrecondition:
      return {409, "conflict", "conflict"};
    case StatusCode::kResourceExhausted:
      return {429, "throttled", "throttled"};
    default:
      return {500, "exception", "internal"};
  }
}

// Internal failures are logged here and answered without their detail.
std::string PublicDetail(const Status& status, int http_status) {
  if (http_status < 500) return status.message();
  spdlog::error("API request failed: {}", status.ToString());
  return "the hub could not complete the request";
}

}  // namespace

HttpReply FhirError(const Status& status) {
  const HttpError e = ErrorFor(status.code());
  return OperationOutcome(e.status, e.fhir_code, PublicDetail(status, e.status));
}

HttpReply ProblemFor(const Status& status) {
  const HttpError e = ErrorFor(status.code());
  HttpReply reply = Problem(e.status, e.problem_kind, StatusCodeName(status.code()),
                            PublicDetail(status, e.status));
  if (e.status == 401) reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigil\"");
  return reply;
}

bool ApiService::Serves(std::string_view path) {
  for (std::string_view prefix : {"/auth/", "/admin/", "/security/", "/fhir/", "/ledger/"}) {
    if (path.substr(0, prefix.size()) == prefix) return true;
  }
  return path == "/fhir";
}

HttpReply ApiService::Handle(const ApiRequest& request) {
  if (request.path.rfind("/auth/", 0) == 0) return HandleAuth(request);
  if (request.path.rfind("/ledger/", 0) == 0) return HandleLedger(request);
  const bool fhir = request.path.rfind("/fhir", 0) == 0;
  if (fhir && request.path == "/fhir/metadata") {
    if (request.method != "GET") return OperationOutcome(405, "not-supported", "use GET");
    return HttpReply(200, std::string(kFhirJson), CapabilityStatement(deps_.hub_name));
  }
  auto session = deps_.auth.Authenticate(request.BearerToken(), request.peer_address);
  if (!session.ok()) return fhir ? FhirError(session.status()) : ProblemFor(session.status());
  if (session->must_change_password) {
    const Status change = Status::PermissionDenied(
        "the initial password must be changed first (POST /auth/password)");
    return fhir ? FhirError(change) : ProblemFor(change);
  }
  return fhir ? HandleFhir(request, *session) : HandleAdmin(request, *session);
}

Status ApiService::Require(const ApiRequest& request, const Session& session, access::Action action,
                           const std::string& patient_id, const std::string& resource) {
  VIGIL_ASSIGN_OR_RETURN(access::Decision d,
                         Authorize(request, session, action, patient_id, resource));
  if (!d.allowed()) return Status::PermissionDenied("not permitted for this role");
  return Status::Ok();
}

Result<access::Decision> ApiService::Authorize(const ApiRequest& request, const Session& session,
                                               access::Action action, const std::string& patient_id,
                                               const std::string& resource) {
  return authorizer_.Authorize({.who = session.who,
                                .action = action,
                                .patient_id = patient_id,
                                .resource = resource,
                                .break_glass_reason = request.break_glass_reason,
                                .address = request.peer_address});
}

}  // namespace vigil::api
