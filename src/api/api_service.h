// The people-facing HTTPS API: /auth (login, MFA, logout, password), /admin (care
// teams, session revocation), /security (break-glass reviews), the FHIR R4 read API under
// /fhir, and the ledger's public checkpoint and proofs under /ledger (no login). Every
// request is authenticated by a session token (except login and /fhir/metadata), decided by
// access/policy and the decision recorded in the audit ledger before any data is read or returned.
//
// Handle() blocks (store reads, Argon2id, durable ledger appends): the server runs it on a
// worker pool, never on an I/O thread. Thread-safe.
#pragma once

#include <string_view>

#include "api/admin_routes.h"
#include "api/alert_routes.h"
#include "api/api_errors.h"
#include "api/api_request.h"
#include "api/auth_routes.h"
#include "api/bulk_routes.h"
#include "api/containment_routes.h"
#include "api/fhir_routes.h"
#include "api/http_reply.h"
#include "api/incident_routes.h"
#include "api/ledger_routes.h"
#include "api/privacy_routes.h"
#include "api/route_context.h"

namespace vigil::api {

// Routes each request to its handler (a class and header per group of routes), after
// authenticating its session where one is needed.
class ApiService {
 public:
  explicit ApiService(ApiDependencies deps)
      : context_(std::move(deps)),
        auth_(context_),
        admin_(context_),
        alerts_(context_),
        incidents_(context_),
        containment_(context_),
        privacy_(context_),
        ledger_(context_),
        fhir_(context_),
        bulk_jobs_(context_.deps.bulk_dir.empty()
                       ? nullptr
                       : std::make_unique<BulkExportJobs>(context_, context_.deps.bulk_dir)),
        bulk_(context_, bulk_jobs_.get()) {}

  // Whether this service answers `path` (the server routes the rest elsewhere).
  static bool Serves(std::string_view path);

  HttpReply Handle(const ApiRequest& request);

  // The routes' shared context, for the console (console/console_service.h).
  RouteContext& context() { return context_; }
  // The Bulk Data export jobs (null when the hub keeps no export files).
  BulkExportJobs* bulk_jobs() { return bulk_jobs_.get(); }

 private:
  RouteContext context_;
  AuthRoutes auth_;
  AdminRoutes admin_;
  AlertRoutes alerts_;
  IncidentRoutes incidents_;
  ContainmentRoutes containment_;
  PrivacyRoutes privacy_;
  LedgerRoutes ledger_;
  FhirRoutes fhir_;
  std::unique_ptr<BulkExportJobs> bulk_jobs_;  // null without a directory for the files
  BulkRoutes bulk_;
};

}  // namespace vigil::api
