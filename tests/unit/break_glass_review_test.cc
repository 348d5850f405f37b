// Judging break-glass accesses over the real access store: a review closes once, needs a note,
// and the ledger record names who broke the glass, the reviewer and the verdict.
#include "access/break_glass_review.h"

#include <gtest/gtest.h>

#include "access/qr_code.h"
#include "events/audit_records.h"
#include "recording_audit_trail.h"
#include "test_hub.h"

namespace vigil::access {
namespace {

TEST(BreakGlassReviewTest, AnOpenReviewIsJudgedOnceWithANoteAndRecorded) {
  testing::TestHub hub;
  testing::RecordingAuditTrail trail;
  store::AccessStore& store = hub.store().access();
  hub.Enroll("p-1", "d-1");
  auto id = store.InsertReview({0, "dr-a", "p-1", "collapsed", "Patient/p-1", 1000, true});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(ParseReviewVerdict("maybe"), std::nullopt);

  auto no_note = ReviewBreakGlass(store, trail, 2000, *id, ReviewVerdict::kJustified, " \n", "so");
  EXPECT_EQ(no_note.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(trail.records().empty());
  ASSERT_EQ(store.ListReviews(true)->size(), 1u);  // still open

  auto judged =
      ReviewBreakGlass(store, trail, 2000, *id, ReviewVerdict::kUnjustified, "no emergency", "so");
  ASSERT_TRUE(judged.ok()) << judged.status().ToString();
  EXPECT_EQ(judged->username, "dr-a");
  EXPECT_TRUE(store.ListReviews(true)->empty());
  ASSERT_EQ(store.ListReviews(false)->size(), 1u);
  EXPECT_FALSE((*store.ListReviews(false))[0].open);
  ASSERT_EQ(trail.records().size(), 1u);
  const auto recorded = events::As<events::audit::BreakGlassReviewed>(trail.records()[0]);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->user, "dr-a");
  EXPECT_EQ(recorded->patient, "p-1");
  EXPECT_EQ(recorded->by, "so");
  EXPECT_EQ(recorded->verdict, "unjustified");
  EXPECT_EQ(recorded->note, "no emergency");

  auto again = ReviewBreakGlass(store, trail, 3000, *id, ReviewVerdict::kJustified, "x", "so2");
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReviewBreakGlass(store, trail, 3000, 999, ReviewVerdict::kJustified, "x", "so")
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(trail.records().size(), 1u);
}

TEST(QrCodeSvgPathTest, DrawsTheCodeWithAttributeSafeCharactersOnly) {
  auto qr = QrCodeSvgPath("otpauth://totp/Vigil%20hub:nurse.a?secret=JBSWY3DPEHPK3PXP&issuer=x");
  ASSERT_TRUE(qr.ok());
  EXPECT_GE(qr->size, 21 + 8);  // version 1 at least, and the quiet zone
  EXPECT_EQ(qr->path.find_first_not_of("0123456789 MhvHz"), std::string::npos);
  EXPECT_EQ(qr->path.rfind("M4 4h7v1H4z", 0), 0u);  // the finder pattern's top row
}

}  // namespace
}  // namespace vigil::access
