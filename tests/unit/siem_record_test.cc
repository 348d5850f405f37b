#include "respond/siem_record.h"

#include <gtest/gtest.h>

#include "events/audit_records.h"

namespace vigil::respond {
namespace {

constexpr int64_t kT = 1'800'000'000'000;  // 2027-01-15T08:00:00Z

TEST(SiemRecordTest, AnAlertAsRfc5424WithEscapedParameters) {
  events::Alert a;
  a.kind = events::AlertKind::kBruteForce;
  a.severity = events::Severity::kHigh;
  a.entity = events::Entity::User("al\"ice]");
  a.technique = "T1110.001";
  a.summary = "5 failed logins";
  a.first_ms = kT;
  a.evidence = {{"latest_address", "10.0.0.5"}};
  const SiemRecord r = SiemRecordOf(a, 7);
  EXPECT_EQ(r.facility, 14);
  EXPECT_EQ(r.severity, 3);
  const std::string m = SiemSyslogMessage(r, "hub 1", 42);
  EXPECT_EQ(m.rfind("<115>1 2027-01-15T08:00:00.000Z hub_1 vigil 42 alert [vigil@32473 ", 0), 0u)
      << m;
  EXPECT_NE(m.find(R"(entity="user:al\"ice\]")"), std::string::npos) << m;
  EXPECT_NE(m.find(R"(evidence.latest_address="10.0.0.5")"), std::string::npos) << m;
  EXPECT_NE(m.find(R"(] {"time":"2027-01-15T08:00:00.000Z","host":"hub 1","source":"vigil",)"),
            std::string::npos)
      << m;
}

TEST(SiemRecordTest, LedgerEntriesAreAuditRecordsAndRefusalsAreNotices) {
  namespace audit = events::audit;
  const auto access = [](const char* decision) {
    return events::Record(kT, audit::Access{.user = "dr-a",
                                            .role = "clinician",
                                            .patient = "p-1",
                                            .action = "read",
                                            .resource = "Patient/p-1",
                                            .decision = decision,
                                            .basis = "care team"});
  };
  const auto login = [](const char* outcome) {
    return events::Record(kT,
                          audit::Login{.user = "dr-a", .address = "10.0.0.5", .outcome = outcome});
  };
  EXPECT_EQ(SiemRecordOf(access("allowed")).severity, 6);
  EXPECT_EQ(SiemRecordOf(access("denied")).severity, 5);
  EXPECT_EQ(SiemRecordOf(login("password_ok")).severity, 6);
  EXPECT_EQ(SiemRecordOf(login("bad_password")).severity, 5);
  EXPECT_EQ(SiemRecordOf(access("allowed")).type, "access");
  EXPECT_EQ(SiemJsonLine(SiemRecordOf(events::Record(kT, audit::Logout{.user = "dr-a"})), "h"),
            R"({"time":"2027-01-15T08:00:00.000Z","host":"h","source":"vigil","type":"logout",)"
            R"("user":"dr-a"})");
}

}  // namespace
}  // namespace vigil::respond
