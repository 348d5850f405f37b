// Address blocks as every hub sharing a store sees them: put by one hub's playbook, refused by
// the other after its reload, kept across a restart, lifted by a person with a reason that the
// ledger records. On either backend (PostgreSQL in the suite's second run).
#include "respond/address_blocks.h"

#include <gtest/gtest.h>

#include "events/audit_records.h"
#include "recording_audit_trail.h"
#include "respond/address_blocklist.h"
#include "test_hub.h"

namespace vigil::respond {
namespace {

constexpr int64_t kT = 1'800'000'000'000;
constexpr int64_t kMinute = 60'000;

class AddressBlocksTest : public ::testing::Test {
 protected:
  store::AlertStore& alerts() { return hub_.store().alerts(); }

  ManualClock clock_{kT};
  testing::TestHub hub_;
  testing::RecordingAuditTrail audit_;
};

TEST_F(AddressBlocksTest, ABlockPutByOneHubHoldsOnAnotherAndAfterARestart) {
  auto other = store::OpenStore(hub_.location(), store::OpenMode::kOpenExisting);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  AddressBlocklist here(clock_, alerts());
  AddressBlocklist there(clock_, (*other)->alerts());
  ASSERT_TRUE(here.Block("10.0.0.5", 15 * kMinute, "alert 3 (password-spraying)").ok());
  EXPECT_TRUE(here.IsBlocked("10.0.0.5"));
  EXPECT_FALSE(there.IsBlocked("10.0.0.5"));  // until its reload
  ASSERT_TRUE(there.Refresh().ok());
  EXPECT_TRUE(there.IsBlocked("10.0.0.5"));
  EXPECT_FALSE(there.IsBlocked("10.0.0.6"));

  AddressBlocklist restarted(clock_, alerts());
  ASSERT_TRUE(restarted.Refresh().ok());
  EXPECT_TRUE(restarted.IsBlocked("10.0.0.5"));
  auto listed = alerts().ListAddressBlocks(clock_.NowMillis());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].address, "10.0.0.5");
  EXPECT_EQ((*listed)[0].since_ms, kT);
  EXPECT_EQ((*listed)[0].until_ms, kT + 15 * kMinute);
  EXPECT_EQ((*listed)[0].reason, "alert 3 (password-spraying)");

  clock_.Advance(15 * kMinute);  // it ends by itself
  EXPECT_FALSE(there.IsBlocked("10.0.0.5"));
  EXPECT_TRUE(alerts().ListAddressBlocks(clock_.NowMillis())->empty());
}

TEST_F(AddressBlocksTest, ARepeatExtendsABlockAndKeepsItsFirstReason) {
  AddressBlocklist blocks(clock_, alerts());
  ASSERT_TRUE(blocks.Block("10.0.0.5", 15 * kMinute, "alert 3 (password-spraying)").ok());
  clock_.Advance(5 * kMinute);
  ASSERT_TRUE(blocks.Block("10.0.0.5", 15 * kMinute, "alert 3 (password-spraying)").ok());
  ASSERT_TRUE(blocks.Block("10.0.0.5", kMinute, "alert 4 (refused-connections)").ok());
  auto listed = alerts().ListAddressBlocks(clock_.NowMillis()).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].since_ms, kT);
  EXPECT_EQ(listed[0].until_ms, kT + 20 * kMinute);
  EXPECT_EQ(listed[0].reason, "alert 3 (password-spraying)");
  ASSERT_TRUE(blocks.Refresh().ok());
  clock_.Advance(14 * kMinute);
  EXPECT_TRUE(blocks.IsBlocked("10.0.0.5"));
}

TEST_F(AddressBlocksTest, LiftingABlockNeedsAReasonAndIsRecordedAndEveryHubLetsTheAddressIn) {
  AddressBlocklist blocks(clock_, alerts());
  ASSERT_TRUE(blocks.Block("2001:db8::7", 15 * kMinute, "alert 9 (brute-force)").ok());

  EXPECT_EQ(LiftAddressBlock(alerts(), audit_, clock_.NowMillis(), "2001:db8::7", "ana", "").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      LiftAddressBlock(alerts(), audit_, clock_.NowMillis(), "10.9.9.9", "ana", "typo").code(),
      StatusCode::kNotFound);
  EXPECT_TRUE(audit_.records().empty());
  EXPECT_EQ(alerts().ListAddressBlocks(clock_.NowMillis())->size(), 1u);

  ASSERT_TRUE(LiftAddressBlock(alerts(), audit_, clock_.NowMillis(), "2001:db8::7", "ana",
                               "the ward's gateway; the nurse mistyped her password")
                  .ok());
  ASSERT_EQ(audit_.records().size(), 1u);
  const auto& entry = audit_.records()[0];
  EXPECT_EQ(entry.type, events::AuditType::kAddressUnblocked);
  EXPECT_EQ(entry.fields.at("address"), "2001:db8::7");
  EXPECT_EQ(entry.fields.at("by"), "ana");
  EXPECT_EQ(entry.fields.at("reason"), "the ward's gateway; the nurse mistyped her password");
  EXPECT_TRUE(blocks.IsBlocked("2001:db8::7"));  // until the hub reloads (within a second)
  ASSERT_TRUE(blocks.Refresh().ok());
  EXPECT_FALSE(blocks.IsBlocked("2001:db8::7"));
  EXPECT_EQ(
      LiftAddressBlock(alerts(), audit_, clock_.NowMillis(), "2001:db8::7", "ana", "again").code(),
      StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::respond

namespace vigil::respond {
namespace {

// Detection's learned state lives beside the blocks: replaced whole, read back after a restart,
// binary-safe (a rule may keep any bytes).
TEST_F(AddressBlocksTest, DetectionStateIsKeptByName) {
  EXPECT_FALSE(alerts().DetectionState("baselines").value().has_value());
  ASSERT_TRUE(alerts().PutDetectionState("baselines", "{\"v\":1}", kT).ok());
  const std::string binary("a\0b\xff", 4);
  ASSERT_TRUE(alerts().PutDetectionState("baselines", binary, kT + 1).ok());
  ASSERT_TRUE(alerts().PutDetectionState("vital-trends", "{}", kT + 1).ok());
  auto other = store::OpenStore(hub_.location(), store::OpenMode::kOpenExisting);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ((*other)->alerts().DetectionState("baselines").value(), binary);
  EXPECT_EQ((*other)->alerts().DetectionState("vital-trends").value(), "{}");
}

}  // namespace
}  // namespace vigil::respond
