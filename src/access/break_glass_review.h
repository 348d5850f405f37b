// The security officer's review of break-glass accesses: each one a clinician made outside
// their care team (or past the patient's consent) opened a review item (access::Authorizer);
// the officer judges it, and the judgement is recorded in the ledger.
#pragma once

#include <string>

#include "core/status.h"
#include "events/audit_trail.h"
#include "store/access_store.h"

namespace vigil::access {

enum class ReviewVerdict { kJustified, kUnjustified };

// "justified" or "unjustified"; nullopt for anything else.
std::optional<ReviewVerdict> ParseReviewVerdict(std::string_view text);

// Closes open review item `id` with `verdict` and `note` (required: what the reviewer found),
// then records break_glass_reviewed with who reviewed it. InvalidArgument without a note;
// NotFound if there is no open item `id` (none, or another reviewer closed it first).
Result<store::ReviewRecord> ReviewBreakGlass(store::AccessStore& store, events::AuditTrail& audit,
                                             int64_t now_ms, int64_t id, ReviewVerdict verdict,
                                             const std::string& note, const std::string& by);

}  // namespace vigil::access
