// Holding a device for a security response without stopping a patient's monitoring unnoticed:
// a quarantine or a vital-signs-only restriction, the care team's notice, and the release that
// ends both. On either backend.
#include "respond/device_holds.h"

#include <gtest/gtest.h>

#include "recording_audit_trail.h"
#include "test_hub.h"

namespace vigil::respond {
namespace {

constexpr int64_t kT = 1'800'000'000'000;

class DeviceHoldsTest : public ::testing::Test {
 protected:
  DeviceHoldsTest() { hub_.Enroll("p-1", "dev-1"); }  // a pulse oximeter
  store::Store& store() { return hub_.store(); }
  store::DeviceRecord Device() { return **store().FindDevice("dev-1"); }

  testing::TestHub hub_;
  testing::RecordingAuditTrail audit_;
};

TEST_F(DeviceHoldsTest, AQuarantineTellsTheCareTeamUntilTheDeviceIsReleased) {
  auto hold = HoldDevice(store(), {"bedside-monitor"}, "dev-1", "device-clone", kT);
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  EXPECT_EQ(*hold, Hold::kQuarantine);
  EXPECT_TRUE(Device().quarantined);
  EXPECT_FALSE(Device().vitals_only);
  auto notices = store().alerts().MonitoringNotices("p-1");
  ASSERT_TRUE(notices.ok());
  ASSERT_EQ(notices->size(), 1u);
  const store::MonitoringNotice& notice = (*notices)[0];
  EXPECT_EQ(notice.device_id, "dev-1");
  EXPECT_EQ(notice.until_ms, 0);
  EXPECT_NE(notice.text.find("Monitoring from device dev-1 (pulse-oximeter) stopped at"),
            std::string::npos)
      << notice.text;
  EXPECT_NE(notice.text.find("(device-clone)"), std::string::npos);

  ASSERT_TRUE(ReleaseDevice(store(), audit_, "dev-1", "os:ana", kT + 60'000).ok());
  EXPECT_FALSE(Device().quarantined);
  EXPECT_EQ((*store().alerts().MonitoringNotices("p-1"))[0].until_ms, kT + 60'000);
  ASSERT_EQ(audit_.records().size(), 1u);
  EXPECT_EQ(audit_.records()[0].type, events::AuditType::kDeviceReleased);
  EXPECT_EQ(audit_.records()[0].fields.at("by"), "os:ana");
}

TEST_F(DeviceHoldsTest, ADeviceOfAVitalsOnlyTypeKeepsStreamingAndTheNoticeSaysSo) {
  auto hold = HoldDevice(store(), {"pulse-oximeter"}, "dev-1", "topic-violation", kT);
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  EXPECT_EQ(*hold, Hold::kVitalsOnly);
  EXPECT_FALSE(Device().quarantined);
  EXPECT_TRUE(Device().vitals_only);
  const auto notices = *store().alerts().MonitoringNotices("p-1");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].text.find("continues, restricted to vital signs"), std::string::npos)
      << notices[0].text;
  ASSERT_TRUE(ReleaseDevice(store(), audit_, "dev-1", "os:ana", kT + 1).ok());
  EXPECT_FALSE(Device().vitals_only);
}

TEST_F(DeviceHoldsTest, ReleasingADeviceNotHeldOrHoldingAnUnknownOneChangesNothing) {
  EXPECT_EQ(ReleaseDevice(store(), audit_, "dev-1", "os:ana", kT).code(), StatusCode::kNotFound);
  EXPECT_TRUE(audit_.records().empty());
  EXPECT_EQ(HoldDevice(store(), {}, "dev-9", "device-clone", kT).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store().alerts().MonitoringNotices("p-1")->empty());
}

}  // namespace
}  // namespace vigil::respond
