#include "events/audit_records.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "ledger/entry.h"

namespace vigil::events {
namespace {

using Fields = std::map<std::string, std::string>;

TEST(AuditRecordsTest, EveryEntryTypeHasOneRecordType) {
  using All = std::tuple<
      audit::ReadingBatch, audit::DeviceEnrolled, audit::DeviceRevoked, audit::PatientAdded,
      audit::UserAdded, audit::Login, audit::Mfa, audit::Logout, audit::SessionsRevoked,
      audit::Access, audit::ConsentChanged, audit::CareTeamChanged, audit::PasswordChanged,
      audit::DeviceConnected, audit::ConnectionRefused, audit::HubStarted, audit::AlertRaised,
      audit::AlertStatusChanged, audit::ResponseTaken, audit::DeviceReleased, audit::IncidentClosed,
      audit::LoginUnlocked, audit::BreachReported, audit::DataLoss, audit::LedgerOriginChanged,
      audit::AddressUnblocked, audit::BreakGlassReviewed, audit::PatientErased,
      audit::PatientFlagChanged, audit::BulkExport, audit::MasterKeyRotated>;
  std::set<AuditType> covered;
  std::apply([&](auto... record) { (covered.insert(decltype(record)::kType), ...); }, All{});
  EXPECT_EQ(covered.size(), std::tuple_size_v<All>);  // no type twice
  for (int t = 1; t <= static_cast<int>(AuditType::kLastType); ++t) {
    EXPECT_TRUE(covered.count(static_cast<AuditType>(t))) << AuditTypeName(AuditType(t));
  }
}

// The fields are the ones entries have always had: a typed record encodes to the same bytes as
// the field map written by hand before (docs/ledger.md), so old and new entries read alike.
TEST(AuditRecordsTest, RecordsWriteTheDocumentedFieldsAndLeaveEmptyOptionalOnesOut) {
  const AuditRecord access = Record(1000, audit::Access{.user = "dr-a",
                                                        .role = "clinician",
                                                        .patient = "p-1",
                                                        .action = "read",
                                                        .resource = "Observation?patient=p-1",
                                                        .decision = "allowed",
                                                        .basis = "care team",
                                                        .address = "10.0.0.5"});
  EXPECT_EQ(access.type, AuditType::kAccess);
  EXPECT_EQ(access.time_ms, 1000);
  EXPECT_EQ(access.fields, (Fields{{"user", "dr-a"},
                                   {"role", "clinician"},
                                   {"patient", "p-1"},
                                   {"action", "read"},
                                   {"resource", "Observation?patient=p-1"},
                                   {"decision", "allowed"},
                                   {"basis", "care team"},
                                   {"address", "10.0.0.5"}}));  // no reason: not break-glass

  const AuditRecord refused = Record(
      2000,
      audit::ConnectionRefused{.reason = "unknown_certificate",
                               .address = "203.0.113.9",
                               .protocol = "mqtt",
                               .suppression = {.prefix = "203.0.113.0/24", .suppressed = 41}});
  EXPECT_EQ(refused.fields, (Fields{{"reason", "unknown_certificate"},
                                    {"address", "203.0.113.9"},
                                    {"protocol", "mqtt"},
                                    {"prefix", "203.0.113.0/24"},
                                    {"suppressed", "41"}}));

  // Required numbers are written even when zero.
  const AuditRecord batch = Record(3000, audit::ReadingBatch{.count = 0, .digest = "d"});
  EXPECT_EQ(batch.fields, (Fields{{"count", "0"}, {"digest", "d"}}));
}

TEST(AuditRecordsTest, ReadBackAsTheirTypeAndNothingElse) {
  const audit::SessionsRevoked written{.user = "nurse-b", .by = "admin", .count = 3};
  const AuditRecord record = Record(5, written);
  // Through the ledger's encoding and back, as a reader of the log sees it.
  auto decoded = ledger::DecodeEntry(ledger::EncodeEntry(record));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto read = As<audit::SessionsRevoked>(*decoded);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->user, "nurse-b");
  EXPECT_EQ(read->by, "admin");
  EXPECT_EQ(read->count, 3);
  EXPECT_EQ(read->address, "");
  EXPECT_FALSE(As<audit::Logout>(record).has_value());  // another type
}

TEST(AuditRecordsTest, AnEntryMissingARequiredFieldOrWithABadNumberIsNotRead) {
  AuditRecord record = Record(5, audit::BreachReported{.incident = 7, .by = "cli", .patients = 2});
  ASSERT_TRUE(As<audit::BreachReported>(record).has_value());

  AuditRecord missing = record;
  missing.fields.erase("by");
  EXPECT_FALSE(As<audit::BreachReported>(missing).has_value());

  for (const char* bad : {"", "x", "7x", "-", "99999999999999999999"}) {
    AuditRecord garbled = record;
    garbled.fields["incident"] = bad;
    EXPECT_FALSE(As<audit::BreachReported>(garbled).has_value()) << bad;
  }
  AuditRecord negative = record;
  negative.fields["patients"] = "-1";  // an unsigned count
  EXPECT_FALSE(As<audit::BreachReported>(negative).has_value());
}

TEST(AuditRecordsTest, TheLedgerIndexesAnEntryUnderItsPatient) {
  EXPECT_EQ(PatientOf(Record(1, audit::PatientAdded{.patient = "p-9"})), "p-9");
  EXPECT_EQ(PatientOf(Record(1, audit::Logout{.user = "u"})), "");
}

}  // namespace
}  // namespace vigil::events
