// The console's plain-language consent choices over a real directive: they read back what the
// directive decides, and changing them keeps what names one person.
#include "access/consent_choices.h"

#include <gtest/gtest.h>

namespace vigil::access {
namespace {

TEST(ConsentChoicesTest, TheDefaultIsTheCareTeamForTreatmentAndNoResearch) {
  const ConsentChoices c = ChoicesOf(ConsentDirective{});
  EXPECT_TRUE(c.care_team_vital_signs);
  EXPECT_TRUE(c.care_team_device_data);
  EXPECT_FALSE(c.research);
}

TEST(ConsentChoicesTest, EveryCombinationReadsBackAndDecidesAsChosen) {
  for (bool base : {true, false}) {
    for (int bits = 0; bits < 8; ++bits) {
      const ConsentChoices wanted{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0};
      ConsentDirective start;
      start.base_permit = base;
      const ConsentDirective d = WithChoices(start, wanted);
      const ConsentChoices got = ChoicesOf(d);
      EXPECT_EQ(got.care_team_vital_signs, wanted.care_team_vital_signs) << bits;
      EXPECT_EQ(got.care_team_device_data, wanted.care_team_device_data) << bits;
      EXPECT_EQ(got.research, wanted.research) << bits;
      EXPECT_EQ(ConsentPermits(d, DataCategory::kVitalSigns, "dr-a", true),
                wanted.care_team_vital_signs);
      EXPECT_FALSE(ConsentPermits(d, DataCategory::kVitalSigns, "dr-a", false));  // not on team
      EXPECT_EQ(ConsentPermitsResearch(d, DataCategory::kDeviceData), wanted.research);
      // A round trip through the stored form decides the same.
      auto stored = DecodeConsent(EncodeConsent(d));
      ASSERT_TRUE(stored.ok());
      EXPECT_EQ(ChoicesOf(*stored).care_team_vital_signs, wanted.care_team_vital_signs);
    }
  }
}

TEST(ConsentChoicesTest, ChangingTheChoicesKeepsExceptionsNamingOnePerson) {
  ConsentDirective d;
  d.exceptions.push_back({false, DataCategory::kVitalSigns, RecipientKind::kUser, "dr-b"});
  d.exceptions.push_back({true, std::nullopt, RecipientKind::kResearch, ""});
  const ConsentDirective changed = WithChoices(d, {false, true, false});
  EXPECT_FALSE(ConsentPermits(changed, DataCategory::kVitalSigns, "dr-a", true));
  EXPECT_FALSE(ConsentPermits(changed, DataCategory::kVitalSigns, "dr-b", true));
  EXPECT_TRUE(ConsentPermits(changed, DataCategory::kDeviceData, "dr-a", true));
  EXPECT_FALSE(ConsentPermitsResearch(changed, DataCategory::kVitalSigns));
  const auto personal = PersonalExceptions(changed);
  ASSERT_EQ(personal.size(), 1u);
  EXPECT_EQ(personal[0], "dr-b may not see your vital signs");
  // Everyone back in: dr-b's deny still wins for dr-b.
  const ConsentDirective reopened = WithChoices(changed, {true, true, false});
  EXPECT_TRUE(ConsentPermits(reopened, DataCategory::kVitalSigns, "dr-a", true));
  EXPECT_FALSE(ConsentPermits(reopened, DataCategory::kVitalSigns, "dr-b", true));
}

}  // namespace
}  // namespace vigil::access
