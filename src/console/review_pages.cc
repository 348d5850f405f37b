// The security officer's break-glass review queue: every access a clinician or nurse opened in
// an emergency outside their care team (or past the patient's consent), with the reason they
// gave; the officer judges each one justified or not, with a note, recorded in the ledger.
#include "access/break_glass_review.h"
#include "console/pages.h"

namespace vigil::console {
namespace {

constexpr size_t kClosedShown = 50;

Html ReviewForm(const PageContext& page, const store::ReviewRecord& r) {
  const std::string id = std::to_string(r.id);
  Html h;
  h << "<form class=\"stack\" method=\"post\" action=\"/console/reviews/";
  h.UrlPart(id);
  h << "\">" << CsrfField(page.viewer) << "<fieldset><legend>Your judgement of review ";
  h.Text(id);
  h << "</legend><label class=\"choice\"><input type=\"radio\" name=\"verdict\" "
       "value=\"justified\" required> Justified: an emergency that needed it</label>"
       "<label class=\"choice\"><input type=\"radio\" name=\"verdict\" value=\"unjustified\"> "
       "Not justified: refer it for follow-up</label></fieldset><label for=\"note-";
  h.Text(id);
  h << "\">What you found</label><textarea id=\"note-";
  h.Text(id);
  h << "\" name=\"note\" rows=\"2\" required></textarea><p><button type=\"submit\">"
       "Record the review</button></p></form>";
  return h;
}

Html ReviewRow(const store::ReviewRecord& r) {
  Html h;
  h << "<tr>";
  h.Cell(std::to_string(r.id)) << "<td>";
  h.Time(r.created_ms) << "</td>";
  h.Cell(r.username).Cell(r.patient_id).Cell(r.resource).Cell(r.reason) << "</tr>";
  return h;
}

constexpr Literal kReviewHead =
    "<table><thead><tr><th scope=\"col\">Review</th><th scope=\"col\">When</th>"
    "<th scope=\"col\">Who</th><th scope=\"col\">Patient</th><th scope=\"col\">What</th>"
    "<th scope=\"col\">Reason given</th></tr></thead><tbody>";

}  // namespace

api::HttpReply ReviewsPage(const PageContext& page) {
  if (!page.context
           .Require(page.request, page.session, access::Action::kReadReviews, "", "console:reviews")
           .ok()) {
    return ErrorPage(page, 403, "Break-glass reviews are for security officers.");
  }
  auto all = page.context.deps.store.access().ListReviews(/*open_only=*/false);
  if (!all.ok()) return ErrorPage(page, 503, "The review queue could not be read.");
  std::vector<store::ReviewRecord> open, closed;
  for (auto& r : *all) (r.open ? open : closed).push_back(std::move(r));
  Html body;
  body << "<p>Each row is a time someone opened a patient's data in an emergency, outside their "
          "care team or past the patient's consent. Look at the reason given, judge it, and say "
          "what you found: your judgement is written into the audit ledger.</p><h2>Waiting ("
       << Html().Int(static_cast<int64_t>(open.size())) << ")</h2>";
  if (open.empty()) body << "<p>Nothing is waiting for review.</p>";
  for (const auto& r : open) {
    body << "<section class=\"review\">" << kReviewHead << ReviewRow(r) << "</tbody></table>"
         << ReviewForm(page, r) << "</section>";
  }
  body << "<h2>Reviewed (newest first)</h2>";
  if (closed.empty()) body << "<p>None yet.</p>";
  if (!closed.empty()) {
    body << kReviewHead;
    size_t shown = 0;
    for (auto it = closed.rbegin(); it != closed.rend() && shown++ < kClosedShown; ++it) {
      body << ReviewRow(*it);
    }
    body << "</tbody></table><p>The judgements and notes are in the <a "
            "href=\"/console/audit?type=break_glass_reviewed\">audit ledger</a>.</p>";
  }
  return page.Page("Break-glass reviews", body);
}

api::HttpReply SubmitReview(const PageContext& page, int64_t id) {
  if (!page.context
           .Require(page.request, page.session, access::Action::kCloseReviews, "",
                    "review/" + std::to_string(id))
           .ok()) {
    return ErrorPage(page, 403, "Break-glass reviews are for security officers.");
  }
  const auto verdict = access::ParseReviewVerdict(FormValue(page.form, "verdict"));
  if (!verdict) return ErrorPage(page, 400, "Choose justified or not justified.");
  auto closed = access::ReviewBreakGlass(page.context.deps.store.access(), page.context.deps.audit,
                                         page.context.deps.clock.NowMillis(), id, *verdict,
                                         FormValue(page.form, "note"), page.session.who.username);
  if (!closed.ok()) {
    const StatusCode code = closed.status().code();
    return ErrorPage(page,
                     code == StatusCode::kNotFound          ? 404
                     : code == StatusCode::kInvalidArgument ? 400
                                                            : 503,
                     "The review was not recorded: " + closed.status().message());
  }
  return Redirect("/console/reviews");
}

}  // namespace vigil::console
