#include "respond/responder.h"

#include <gtest/gtest.h>

#include <vector>

#include "recording_audit_trail.h"
#include "respond/alert_desk.h"
#include "test_hub.h"

namespace vigil::respond {
namespace {

using events::AlertKind;
using events::Entity;
using events::ResponseAction;

// Containment that notes what it was asked to do, and can be told to fail.
class NotedContainment final : public Containment {
 public:
  Status QuarantineDevice(const std::string& device, const std::string& reason, int64_t) override {
    done.push_back("quarantine " + device + " (" + reason + ")");
    return fail ? Status::Unavailable("store down") : Status::Ok();
  }
  Status BlockAddress(const std::string& address, int64_t for_ms,
                      const std::string& reason) override {
    done.push_back("block " + address + " " + std::to_string(for_ms) + " " + reason);
    return Status::Ok();
  }
  Status RevokeSessions(const std::string& user, const std::string&) override {
    done.push_back("revoke " + user);
    return Status::Ok();
  }
  Status MarkSuspect(const std::string& device, std::span<const uint64_t> seqs,
                     const std::string& reason) override {
    std::string listed;
    for (uint64_t s : seqs) listed += " " + std::to_string(s);
    done.push_back("suspect " + device + listed + " (" + reason + ")");
    return Status::Ok();
  }
  std::vector<std::string> done;
  bool fail = false;
};

events::Alert AlertOf(AlertKind kind, Entity entity, std::map<std::string, std::string> ev = {}) {
  events::Alert a;
  a.kind = kind;
  a.entity = std::move(entity);
  a.evidence = std::move(ev);
  return a;
}

class ResponderTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'800'000'000'000};
  NotedContainment containment_;
  std::vector<Response> recorded_;
  Responder responder_{clock_, containment_, DefaultPlaybooks(),
                       [this](const Response& r) { recorded_.push_back(r); }};
};

TEST_F(ResponderTest, EachPlaybookActsOnTheEntityItsAlertNames) {
  responder_.Respond(AlertOf(AlertKind::kDeviceClone, Entity::Device("dev-1")), 7);
  responder_.Respond(AlertOf(AlertKind::kPasswordSpraying, Entity::Address("10.0.0.5")), 8);
  responder_.Respond(
      AlertOf(AlertKind::kRefusedConnections, Entity::Hub(), {{"latest_address", "10.0.0.9"}}), 9);
  responder_.Respond(AlertOf(AlertKind::kManyPatients, Entity::User("mallory")), 10);
  responder_.Respond(AlertOf(AlertKind::kClockSkew, Entity::Device("dev-2")), 11);  // no playbook
  EXPECT_EQ(
      containment_.done,
      (std::vector<std::string>{
          "quarantine dev-1 (device-clone)", "block 10.0.0.5 900000 alert 8 (password-spraying)",
          "block 10.0.0.9 900000 alert 9 (refused-connections)", "revoke mallory"}));
  ASSERT_EQ(recorded_.size(), 4u);
  EXPECT_EQ(recorded_[0].alert_id, 7);
  EXPECT_EQ(recorded_[0].action, ResponseAction::kQuarantineDevice);
  EXPECT_EQ(recorded_[0].target, "dev-1");
  EXPECT_EQ(recorded_[2].target, "10.0.0.9");
  EXPECT_EQ(recorded_[3].time_ms, clock_.NowMillis());
}

TEST_F(ResponderTest, AnActionThatFailsOrHasNoTargetIsNotRecorded) {
  containment_.fail = true;
  responder_.Respond(AlertOf(AlertKind::kDeviceClone, Entity::Device("dev-1")), 1);
  responder_.Respond(AlertOf(AlertKind::kTopicViolation, Entity::User("not-a-device")), 2);
  EXPECT_EQ(containment_.done.size(), 1u);
  EXPECT_TRUE(recorded_.empty());
}

// A clone's readings are labelled whatever the playbook (even "none"): labelling cuts no care off.
TEST_F(ResponderTest, TheReadingsAnAlertNamesAreMarkedSuspect) {
  responder_.Respond(AlertOf(AlertKind::kDeviceClone, Entity::Device("dev-1"),
                             {{"suspect_seqs", "9,8,x,7"}, {"suspect_reason", "clone"}}),
                     3);
  responder_.Respond(AlertOf(AlertKind::kClockSkew, Entity::Device("dev-2"),
                             {{"suspect_seqs", "5"}, {"suspect_reason", "clone"}}),
                     4);
  EXPECT_EQ(containment_.done, (std::vector<std::string>{"suspect dev-1 9 8 7 (clone)",
                                                         "quarantine dev-1 (device-clone)",
                                                         "suspect dev-2 5 (clone)"}));
}

// Containment a person lifted while the attack goes on is taken again: a repeat of the open
// alert re-runs its playbook, at most once a minute, each response on the incident's timeline.
TEST(AlertDeskTest, ARepeatActsAgainAtMostOnceAMinute) {
  testing::TestHub hub;
  testing::RecordingAuditTrail audit;
  ManualClock clock{1'800'000'000'000};
  NotedContainment containment;
  AlertDesk desk(hub.store().alerts(), audit, nullptr, clock, containment, DefaultPlaybooks());
  events::Alert alert = AlertOf(AlertKind::kManyPatients, Entity::User("mallory"));
  alert.first_ms = alert.last_ms = clock.NowMillis();
  alert.id = desk.Take(alert, true);
  ASSERT_GT(alert.id, 0);
  clock.Advance(30'000);
  desk.Take(alert, false);  // a repeat within the minute: the hold stands, nothing more
  EXPECT_EQ(containment.done, std::vector<std::string>{"revoke mallory"});
  clock.Advance(31'000);
  desk.Take(alert, false);
  EXPECT_EQ(containment.done, (std::vector<std::string>{"revoke mallory", "revoke mallory"}));
  const auto stored = hub.store().alerts().FindAlert(alert.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  const auto timeline = hub.store().alerts().IncidentEvents((*stored)->incident_id);
  ASSERT_TRUE(timeline.ok());
  size_t responses = 0;
  for (const auto& e : *timeline) responses += e.what == "response";
  EXPECT_EQ(responses, 2u);
}

TEST(PlaybooksTest, ConfigOverridesByNameAndRefusesUnknownKindsAndActions) {
  RespondOptions options;
  options.actions = {{"device-clone", "none"}, {"brute-force", "block-address"}};
  options.block_minutes = 30;
  auto playbooks = PlaybooksOf(options);
  ASSERT_TRUE(playbooks.ok()) << playbooks.status().ToString();
  EXPECT_EQ(playbooks->action_by_kind.at(AlertKind::kDeviceClone), ResponseAction::kNone);
  EXPECT_EQ(playbooks->action_by_kind.at(AlertKind::kBruteForce), ResponseAction::kBlockAddress);
  EXPECT_EQ(playbooks->block_minutes, 30);

  options.actions = {{"device-clones", "none"}};
  EXPECT_EQ(PlaybooksOf(options).status().message(),
            "config [respond]: unknown alert kind 'device-clones'");
  options.actions = {{"device-clone", "shutdown"}};
  EXPECT_EQ(PlaybooksOf(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(EntityTest, WrittenAndParsedTheSameWay) {
  for (const char* text : {"device:dev-1", "user:alice", "address:10.0.0.5", "hub", "hub:store"}) {
    auto entity = Entity::Parse(text);
    ASSERT_TRUE(entity) << text;
    EXPECT_EQ(entity->ToString(), text);
  }
  for (const char* text : {"", "device:", "printer:p-1", "device"}) {
    EXPECT_FALSE(Entity::Parse(text)) << text;
  }
  EXPECT_EQ(events::ParseAlertKind(events::AlertKindName(AlertKind::kBulkReads)),
            AlertKind::kBulkReads);
}

}  // namespace
}  // namespace vigil::respond
