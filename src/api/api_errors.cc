#include "api/api_errors.h"

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
    case StatusCode::kGone:
      return {410, "deleted", "gone"};
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

std::optional<HttpReply> FhirRefusal(const Result<access::Decision>& decision) {
  if (!decision.ok()) return FhirError(decision.status());
  if (!decision->allowed()) {
    return FhirError(Status::PermissionDenied("access denied (" + decision->basis + ")"));
  }
  return std::nullopt;
}

}  // namespace vigil::api
