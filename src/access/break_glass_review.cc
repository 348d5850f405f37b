#include "access/break_glass_review.h"

#include "events/audit_records.h"

namespace vigil::access {

std::optional<ReviewVerdict> ParseReviewVerdict(std::string_view text) {
  if (text == "justified") return ReviewVerdict::kJustified;
  if (text == "unjustified") return ReviewVerdict::kUnjustified;
  return std::nullopt;
}

Result<store::ReviewRecord> ReviewBreakGlass(store::AccessStore& store, events::AuditTrail& audit,
                                             int64_t now_ms, int64_t id, ReviewVerdict verdict,
                                             const std::string& note, const std::string& by) {
  if (note.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("say what the review found (a note is required)");
  }
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::ReviewRecord> closed, store.CloseReview(id));
  if (!closed) return Status::NotFound("no open review " + std::to_string(id));
  VIGIL_RETURN_IF_ERROR(audit.Append(events::Record(
      now_ms, events::audit::BreakGlassReviewed{
                  .review = std::to_string(id),
                  .user = closed->username,
                  .patient = closed->patient_id,
                  .by = by,
                  .verdict = verdict == ReviewVerdict::kJustified ? "justified" : "unjustified",
                  .note = note})));
  return *std::move(closed);
}

}  // namespace vigil::access
