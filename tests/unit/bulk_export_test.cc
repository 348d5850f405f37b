// Bulk Data export jobs through the API service, on their worker thread (under the sanitizers in
// the ASan suite): kick-off, polling, the manifest, the download for the requester only, files
// sealed at rest, cancelling, and an erased patient's exports deleted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

#include "access/auth_service.h"
#include "api/api_service.h"
#include "recording_audit_trail.h"
#include "store/sealed_record.h"
#include "test_hub.h"

namespace vigil::api {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'800'000'000'000;

class BulkExportTest : public ::testing::Test {
 protected:
  BulkExportTest()
      : clock_(kNow),
        ledger_(std::move(ledger::Ledger::Open(hub_.store())).value()),
        auth_(hub_.store().access(), hub_.keys(), clock_, access::SessionSettings{}, audit_),
        api_({hub_.store(), hub_.keys(), auth_, audit_, *ledger_, clock_, "test", nullptr,
              hub_.dir() + "/exports"}) {
    hub_.Enroll("p-1", "d-1");
    for (const char* name : {"alice", "bob"}) {
      store::UserRecord u{name, "clinician", "", "$argon2id$unused", false, "", 0, kNow};
      EXPECT_TRUE(hub_.store().access().InsertUser(u).ok());
      EXPECT_TRUE(hub_.store()
                      .access()
                      .InsertSession({access::TokenHash(std::string("token-") + name), name, kNow,
                                      kNow, "::1"})
                      .ok());
    }
    EXPECT_TRUE(hub_.store().access().AddCareTeamMember("p-1", "alice").ok());
    const std::string key = *hub_.keys().DataKey("p-1");
    std::vector<store::ReadingCommit> commits;
    for (int i = 1; i <= 30; ++i) {
      model::Observation o;
      o.id = "d-1." + std::to_string(i) + ".0";
      o.patient_id = "p-1";
      o.device_id = "d-1";
      o.code = "8867-4";
      o.effective_ms = o.issued_ms = kNow - (30 - i) * 1000;
      o.seq = static_cast<uint64_t>(i);
      o.measurements = {{model::VitalKind::kHeartRate, 60.0 + i, o.effective_ms}};
      commits.push_back(
          {"d-1", o.seq, std::string(32, 'x'), kNow, {*store::SealObservation(key, o)}});
    }
    EXPECT_TRUE(hub_.store().CommitReadings(commits).ok());
  }

  HttpReply Call(const std::string& method, const std::string& target, const std::string& user) {
    ApiRequest r;
    EXPECT_TRUE(ParseTarget(target, r).ok());
    r.method = method;
    r.prefer = "respond-async";
    r.authorization = "Bearer token-" + user;
    r.base_url = "https://hub.test";
    return api_.Handle(r);
  }

  // Kicks off an export of Observations as alice and polls it to the end: the status path.
  std::string Export() {
    HttpReply kicked = Call("GET", "/fhir/Patient/$export?_type=Observation", "alice");
    EXPECT_EQ(kicked.status, 202) << kicked.body;
    std::string location;
    for (const auto& [name, value] : kicked.headers) {
      if (name == "Content-Location")
        location = value.substr(std::string("https://hub.test").size());
    }
    for (int i = 0; i < 500; ++i) {
      HttpReply polled = Call("GET", location, "alice");
      if (polled.status == 200) return location;
      EXPECT_EQ(polled.status, 202) << polled.body;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the export did not finish";
    return location;
  }

  testing::TestHub hub_;
  ManualClock clock_;
  testing::RecordingAuditTrail audit_;
  std::unique_ptr<ledger::Ledger> ledger_;
  access::AuthService auth_;
  ApiService api_;
};

TEST_F(BulkExportTest, TheRequesterGetsTheManifestAndTheFilesOthersGetNothing) {
  const std::string location = Export();
  const json manifest = json::parse(Call("GET", location, "alice").body);
  ASSERT_EQ(manifest["output"].size(), 1u);
  EXPECT_EQ(manifest["output"][0]["type"], "Observation");
  EXPECT_EQ(manifest["output"][0]["count"], 30);
  const std::string url = manifest["output"][0]["url"].get<std::string>().substr(16);
  HttpReply file = Call("GET", url, "alice");
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(std::count(file.body.begin(), file.body.end(), '\n'), 30);
  EXPECT_NE(file.body.find("\"resourceType\":\"Observation\""), std::string::npos);
  EXPECT_EQ(Call("GET", url, "bob").status, 404);
  EXPECT_EQ(Call("GET", location, "bob").status, 404);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(hub_.dir() + "/exports")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("resourceType"), std::string::npos) << entry.path();
  }
  ASSERT_FALSE(audit_.records().empty());
  EXPECT_TRUE(events::As<events::audit::BulkExport>(audit_.records().back()));

  api_.bulk_jobs()->Purge("p-1");  // erased: the export holding them goes
  EXPECT_EQ(Call("GET", location, "alice").status, 404);
  EXPECT_EQ(Call("GET", url, "alice").status, 404);
}

TEST_F(BulkExportTest, ACancelledJobIsGoneAndKickOffsAreBounded) {
  const std::string location = Export();
  EXPECT_EQ(Call("DELETE", location, "bob").status, 404);
  EXPECT_EQ(Call("DELETE", location, "alice").status, 202);
  EXPECT_EQ(Call("GET", location, "alice").status, 404);
  HttpReply refused = Call("GET", "/fhir/Patient/$export?_elements=id", "alice");
  EXPECT_EQ(refused.status, 400);
}

}  // namespace
}  // namespace vigil::api
