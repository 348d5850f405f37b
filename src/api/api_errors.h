// How a failed Status is answered: a FHIR OperationOutcome for /fhir, problem+json elsewhere,
// with the HTTP status its code maps to. Internal failures are logged and answered without
// their detail.
#pragma once

#include "api/http_reply.h"
#include "core/status.h"

namespace vigil::api {

// The FHIR reply for a failed Status (401/403/404/400/409/429/500 OperationOutcome).
HttpReply FhirError(const Status& status);
// The problem+json reply for a failed Status, for the non-FHIR routes.
HttpReply ProblemFor(const Status& status);

}  // namespace vigil::api
