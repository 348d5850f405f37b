#include "api/route_context.h"

namespace vigil::api {

Status RouteContext::Require(const ApiRequest& request, const Session& session,
                             access::Action action, const std::string& patient_id,
                             const std::string& resource) {
  VIGIL_ASSIGN_OR_RETURN(access::Decision d,
                         Authorize(request, session, action, patient_id, resource));
  if (!d.allowed()) return Status::PermissionDenied("not permitted for this role");
  return Status::Ok();
}

Result<access::Decision> RouteContext::Authorize(const ApiRequest& request, const Session& session,
                                                 access::Action action,
                                                 const std::string& patient_id,
                                                 const std::string& resource) {
  VIGIL_ASSIGN_OR_RETURN(access::Decision decision,
                         authorizer_.Authorize({.who = session.who,
                                                .action = action,
                                                .patient_id = patient_id,
                                                .resource = resource,
                                                .break_glass_reason = request.break_glass_reason,
                                                .address = request.peer_address}));
  // Whoever asks, an erased patient is gone (the tombstone is in the ledger for all to see); a
  // caregiver's denial would otherwise blame a care team the erasure removed.
  if (!patient_id.empty()) {
    VIGIL_RETURN_IF_ERROR(store::RefuseErased(deps.store.privacy(), patient_id));
  }
  return decision;
}

void RouteContext::ReportSent(const ApiRequest& request, const Session& session,
                              const std::string& patient_id, size_t rows) {
  if (!deps.events || rows == 0) return;
  deps.events->Submit({events::EventKind::kDataSent, deps.clock.NowMillis(), "",
                       session.who.username, request.peer_address, patient_id, request.Endpoint(),
                       static_cast<int64_t>(rows)});
}

}  // namespace vigil::api
