// The FHIR Bulk Data Access (IG 2.0) export routes: kick-off at [base]/$export (system level:
// the privacy officer) and [base]/Patient/$export (every patient the caller may read: their own
// record, a caregiver's care teams), `Prefer: respond-async` required, `_type`, `_since` and
// `_outputFormat` (NDJSON) honoured, anything else refused; status polling at
// /fhir/bulkstatus/{job} (202 with X-Progress and Retry-After, then the manifest; DELETE
// cancels); files at /fhir/bulkfiles/{job}/{file}, for the requester's session only.
#pragma once

#include <memory>
#include <string_view>

#include "api/api_request.h"
#include "api/bulk_export.h"
#include "api/http_reply.h"
#include "api/route_context.h"

namespace vigil::api {

// A kick-off's parameters as the job takes them; InvalidArgument naming what is not supported.
Result<BulkRequest> ParseBulkKickOff(const ApiRequest& request);

class BulkRoutes {
 public:
  // `jobs` null: the hub keeps no export files (no data directory): kick-offs answer 503.
  BulkRoutes(RouteContext& context, BulkExportJobs* jobs) : context_(context), jobs_(jobs) {}

  // Whether `path` is one of these routes.
  static bool Serves(std::string_view path);
  HttpReply Handle(const ApiRequest& request, const Session& session);

 private:
  HttpReply KickOff(const ApiRequest& request, const Session& session, bool system);
  HttpReply JobStatus(const ApiRequest& request, const Session& session, const std::string& job);

  RouteContext& context_;
  BulkExportJobs* jobs_;
};

}  // namespace vigil::api
