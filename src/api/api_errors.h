// How a failed Status is answered: a FHIR OperationOutcome for /fhir, problem+json elsewhere,
// with the HTTP status its code maps to. Internal failures are logged and answered without
// their detail.
#pragma once

#include <optional>

#include "access/policy.h"
#include "api/http_reply.h"
#include "core/status.h"

namespace vigil::api {

// The FHIR reply for a failed Status (401/403/404/400/409/429/500 OperationOutcome).
HttpReply FhirError(const Status& status);
// The FHIR reply refusing a request, unless `decision` allows it (and was recorded): 403 for a
// denial, the error's reply if the decision could not be made.
std::optional<HttpReply> FhirRefusal(const Result<access::Decision>& decision);
// The problem+json reply for a failed Status, for the non-FHIR routes.
HttpReply ProblemFor(const Status& status);

}  // namespace vigil::api
