#include "respond/incidents.h"

#include <gtest/gtest.h>

#include "recording_audit_trail.h"
#include "respond/alert_record.h"
#include "test_hub.h"

namespace vigil::respond {
namespace {

using events::Alert;
using events::Severity;

constexpr int64_t kT = 1'800'000'000'000;

class IncidentsTest : public ::testing::Test {
 protected:
  // Stores an alert and files it; the incident's id.
  int64_t Raise(std::string_view kind, std::string_view entity, Severity severity, int64_t t,
                std::map<std::string, std::string> evidence = {}) {
    Alert a;
    a.kind = *events::ParseAlertKind(kind);
    a.entity = *events::Entity::Parse(entity);
    a.severity = severity;
    a.first_ms = a.last_ms = t;
    a.evidence = std::move(evidence);
    a.summary = std::string(kind);
    const int64_t id = alerts().InsertAlert(ToRecord(a)).value();
    return FileAlert(alerts(), a, id).value();
  }
  store::AlertStore& alerts() { return hub_.store().alerts(); }

  testing::TestHub hub_;
  testing::RecordingAuditTrail audit_;
};

TEST_F(IncidentsTest, AlertsSharingAnEntityOrAnAttackersAddressAreOneIncident) {
  const int64_t brute =
      Raise("brute-force", "user:alice", Severity::kMedium, kT, {{"latest_address", "10.0.0.5"}});
  const int64_t spray = Raise("password-spraying", "address:10.0.0.5", Severity::kHigh, kT + 1000);
  const int64_t other = Raise("device-clone", "device:dev-1", Severity::kHigh, kT + 2000,
                              {{"latest_address", "10.9.9.9"}});
  EXPECT_EQ(spray, brute);
  EXPECT_NE(other, brute);
  auto incident = alerts().FindIncident(brute).value();
  ASSERT_TRUE(incident.has_value());
  EXPECT_EQ(incident->severity, "high");  // the worst of its alerts
  EXPECT_EQ(incident->entities, (std::vector<std::string>{"user:alice", "address:10.0.0.5"}));
  EXPECT_EQ(incident->title, "password-spraying on address:10.0.0.5");  // the worst alert
  EXPECT_EQ(alerts().AlertsOfIncident(brute).value().size(), 2u);
  auto timeline = alerts().IncidentEvents(brute).value();
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[1].what, "alert");
}

// Two devices behind one gateway (or a ward's workstations behind one NAT) share an address and
// nothing else: their alerts are separate cases. An address that was itself the subject of an
// alert ties what came from it together.
TEST_F(IncidentsTest, SharingAnAddressAloneDoesNotGroup) {
  const int64_t first = Raise("implausible-values", "device:dev-1", Severity::kMedium, kT,
                              {{"address", "192.168.1.1"}});
  const int64_t second = Raise("replayed-readings", "device:dev-2", Severity::kHigh, kT + 1000,
                               {{"address", "192.168.1.1"}});
  EXPECT_NE(second, first);
  const int64_t scan = Raise("refused-connections", "address:10.6.6.6", Severity::kMedium, kT);
  const int64_t from_scanner = Raise("topic-violation", "device:dev-3", Severity::kHigh, kT + 2000,
                                     {{"address", "10.6.6.6"}});
  EXPECT_EQ(from_scanner, scan);
}

TEST_F(IncidentsTest, TheTitleNamesTheMostSevereAlert) {
  const int64_t incident = Raise("access-outside-care-team", "user:carol", Severity::kMedium, kT);
  ASSERT_EQ(Raise("many-patients", "user:carol", Severity::kHigh, kT + 1000), incident);
  ASSERT_EQ(Raise("break-glass", "user:carol", Severity::kMedium, kT + 2000), incident);
  const auto found = alerts().FindIncident(incident).value();
  EXPECT_EQ(found->title, "many-patients on user:carol");
  EXPECT_EQ(found->severity, "high");
}

TEST_F(IncidentsTest, AQuietOrClosedIncidentTakesNoMoreAlerts) {
  const int64_t first = Raise("brute-force", "user:bob", Severity::kHigh, kT);
  const int64_t later =
      Raise("brute-force", "user:bob", Severity::kHigh, kT + kIncidentWindowMs + 1);
  EXPECT_NE(later, first);
  auto& record = audit_;
  auto& recorded = audit_.records();
  ASSERT_TRUE(CloseIncident(alerts(), record, kT + 5, later, "sec", "done").ok());
  EXPECT_EQ(CloseIncident(alerts(), record, kT + 6, later, "sec", "").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CloseIncident(alerts(), record, kT + 6, 999, "sec", "").code(), StatusCode::kNotFound);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].type, events::AuditType::kIncidentClosed);
  const int64_t after_close =
      Raise("mfa-failures", "user:bob", Severity::kHigh, kT + kIncidentWindowMs + 10);
  EXPECT_NE(after_close, later);
}

TEST_F(IncidentsTest, StatusChangesAndResponsesAreOnTheTimeline) {
  const int64_t incident = Raise("device-clone", "device:dev-2", Severity::kHigh, kT);
  const int64_t alert_id = alerts().AlertsOfIncident(incident).value()[0].id;
  ASSERT_TRUE(
      NoteOnIncidentOf(alerts(), alert_id, kT + 1, "response", "quarantine-device dev-2").ok());
  ASSERT_TRUE(
      ChangeAlertStatus(alerts(), audit_, kT + 2, alert_id, "resolved", "sec", "swapped the device")
          .ok());
  auto timeline = alerts().IncidentEvents(incident).value();
  ASSERT_EQ(timeline.size(), 3u);
  EXPECT_EQ(timeline[1].detail, "quarantine-device dev-2");
  EXPECT_EQ(timeline[2].what, "alert-status");
  EXPECT_EQ(timeline[2].detail, "alert 1 resolved by sec: swapped the device");
}

}  // namespace
}  // namespace vigil::respond
