#include "api/api_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "access/auth_service.h"
#include "recording_audit_trail.h"
#include "test_hub.h"

namespace vigil::api {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int kRows = 250;

class ApiServiceTest : public ::testing::Test {
 protected:
  ApiServiceTest()
      : clock_(kNow),
        ledger_(std::move(ledger::Ledger::Open(hub_.store())).value()),
        auth_(hub_.store().access(), hub_.keys(), clock_, access::SessionSettings{}, audit_),
        api_({hub_.store(), hub_.keys(), auth_, audit_, *ledger_, clock_, "test"}) {
    hub_.Enroll("p-1", "d-1");
    hub_.Enroll("p-2", "d-2");
    AddUser("alice", "clinician", "");
    AddUser("nina", "nurse", "");
    AddUser("pat2", "patient", "p-2");
    AddUser("root", "admin", "");
    EXPECT_TRUE(hub_.store().access().AddCareTeamMember("p-1", "alice").ok());
    const std::string key = *hub_.keys().DataKey("p-1");
    std::vector<store::ReadingCommit> commits;
    for (int i = 1; i <= kRows; ++i) {
      model::Observation o;
      o.id = "d-1." + std::to_string(i) + ".0";
      o.patient_id = "p-1";
      o.device_id = "d-1";
      o.code = "8867-4";
      o.effective_ms = kNow - (kRows - i) * 1000;
      o.seq = static_cast<uint64_t>(i);
      o.issued_ms = o.effective_ms;
      o.measurements = {{model::VitalKind::kHeartRate, 60.0 + i % 40, o.effective_ms}};
      commits.push_back(
          {"d-1", o.seq, std::string(32, 'x'), kNow, {*store::SealObservation(key, o)}});
    }
    EXPECT_TRUE(hub_.store().CommitReadings(commits).ok());
  }

  void AddUser(const std::string& name, const std::string& role, const std::string& patient) {
    store::UserRecord u{name, role, patient, "$argon2id$unused", false, "", 0, kNow};
    ASSERT_TRUE(hub_.store().access().InsertUser(u).ok());
    ASSERT_TRUE(hub_.store()
                    .access()
                    .InsertSession({access::TokenHash("token-" + name), name, kNow, kNow, "::1"})
                    .ok());
  }

  // GET `target` as `user` ("" for no token); the status and the JSON body.
  std::pair<int, json> Get(const std::string& target, const std::string& user,
                           const std::string& break_glass = "", const std::string& prefer = "") {
    ApiRequest r;
    EXPECT_TRUE(ParseTarget(target, r).ok());
    r.method = "GET";
    r.prefer = prefer;
    if (!user.empty()) r.authorization = "Bearer token-" + user;
    r.break_glass_reason = break_glass;
    r.base_url = "https://hub.test";
    last_ = api_.Handle(r);
    return {last_.status, json::parse(last_.body, nullptr, false)};
  }

  testing::TestHub hub_;
  ManualClock clock_;
  testing::RecordingAuditTrail audit_;
  std::vector<events::AuditRecord>& entries_ = audit_.records();
  std::unique_ptr<ledger::Ledger> ledger_;
  access::AuthService auth_;
  ApiService api_;
  HttpReply last_;
};

// Detection hears which endpoint sent a user patients' data, without the ids in its path.
TEST(ApiRequestTest, EndpointNamesTheRouteNotTheIds) {
  auto endpoint = [](std::string method, std::string path) {
    ApiRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    return r.Endpoint();
  };
  EXPECT_EQ(endpoint("GET", "/fhir/Observation"), "GET /fhir/Observation");
  EXPECT_EQ(endpoint("GET", "/fhir/Patient/alice"), "GET /fhir/Patient/{id}");
  EXPECT_EQ(endpoint("GET", "/fhir/Observation/obs-9/"), "GET /fhir/Observation/{id}");
  EXPECT_EQ(endpoint("GET", "/fhir/Patient/p-1/$everything"), "GET /fhir/Patient/{id}/$everything");
  EXPECT_EQ(endpoint("GET", "/fhir/Observation/o/_history/2"),
            "GET /fhir/Observation/{id}/_history/{id}");
  EXPECT_EQ(endpoint("GET", "/patients/p-1/disclosures"), "GET /patients/{id}/disclosures");
  EXPECT_EQ(endpoint("GET", "/"), "GET ");
}

TEST_F(ApiServiceTest, PagesThroughObservationsWithNextLinks) {
  std::string target = "/fhir/Observation?patient=Patient%2Fp-1&_count=100";
  std::set<std::string> ids;
  int pages = 0;
  while (!target.empty()) {
    auto [status, bundle] = Get(target, "alice");
    ASSERT_EQ(status, 200) << last_.body;
    EXPECT_EQ(last_.content_type, "application/fhir+json");
    ++pages;
    for (const auto& e : bundle["entry"]) ids.insert(e["resource"]["id"].get<std::string>());
    target.clear();
    for (const auto& link : bundle["link"]) {
      if (link["relation"] == "next") target = link["url"].get<std::string>().substr(16);
    }
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(entries_.size(), 3u);  // one recorded decision per request
  EXPECT_EQ(entries_[0].fields.at("decision"), "allowed");
  EXPECT_EQ(entries_[0].fields.at("basis"), "care-team+consent");
}

TEST_F(ApiServiceTest, ARowThatDoesNotOpenFailsThePageAndShowsNoValues) {
  // Row 250's sealed value copied into a new, newer row: its associated data no longer matches.
  auto rows = hub_.store().ListObservations("p-1");
  ASSERT_TRUE(rows.ok());
  store::SealedObservation moved = rows->back();
  moved.id = "d-1.251.0";
  moved.seq = 251;
  moved.effective_ms = kNow + 1000;
  const std::vector<store::ReadingCommit> commit{{"d-1", 251, std::string(32, 'y'), kNow, {moved}}};
  ASSERT_TRUE(hub_.store().CommitReadings(commit).ok());

  auto [status, outcome] = Get("/fhir/Observation?patient=p-1&_sort=-date&_count=5", "alice");
  EXPECT_EQ(status, 500);
  EXPECT_EQ(outcome["resourceType"], "OperationOutcome");
  EXPECT_EQ(last_.body.find("valueQuantity"), std::string::npos) << last_.body;
  EXPECT_EQ(last_.body.find("d-1.25"), std::string::npos) << last_.body;
  // Pages without it are still served.
  auto [oldest, bundle] = Get("/fhir/Observation?patient=p-1&_count=5", "alice");
  EXPECT_EQ(oldest, 200);
  EXPECT_EQ(bundle["entry"].size(), 5u);
}

TEST_F(ApiServiceTest, SortsFiltersByDateAndCounts) {
  auto [status, newest] =
      Get("/fhir/Observation?patient=p-1&_sort=-date&_count=1&_total=accurate", "alice");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(newest["total"], kRows);
  EXPECT_EQ(newest["entry"][0]["resource"]["id"], "d-1.250.0");
  auto [s2, window] =
      Get("/fhir/Observation?patient=p-1&date=ge2027-01-15T07:59:51Z"
          "&date=le2027-01-15T08:00:00Z&_count=1000",
          "alice");
  ASSERT_EQ(s2, 200) << last_.body;
  EXPECT_EQ(window["entry"].size(), 10u);
  // No prefix is eq: the whole day (every row here is on it); an unknown prefix is refused.
  auto [s3, day] = Get("/fhir/Observation?patient=p-1&date=2027-01-15&_total=accurate", "alice");
  ASSERT_EQ(s3, 200) << last_.body;
  EXPECT_EQ(day["total"], kRows);
  EXPECT_EQ(Get("/fhir/Observation?patient=p-1&date=ap2027-01-15", "alice").first, 400);
  EXPECT_EQ(Get("/fhir/Observation?patient=p-1&_count=1001", "alice").first, 200);  // clamped
  EXPECT_EQ(Get("/fhir/Observation?patient=p-1&_count=-1", "alice").first, 400);
  // An unknown parameter: ignored and named in an outcome entry, or refused when strict.
  auto [s4, lenient] = Get("/fhir/Observation?patient=p-1&color=red&_count=1", "alice");
  ASSERT_EQ(s4, 200) << last_.body;
  EXPECT_EQ(lenient["entry"].back()["search"]["mode"], "outcome");
  EXPECT_NE(lenient["entry"].back()["resource"]["issue"][0]["diagnostics"].get<std::string>().find(
                "color"),
            std::string::npos);
  EXPECT_EQ(Get("/fhir/Observation?patient=p-1&color=red", "alice", "", "handling=strict").first,
            400);
  EXPECT_EQ(Get("/fhir/Observation", "alice").first, 400);
}

TEST_F(ApiServiceTest, RefusalsAreRecordedAndLeakNothing) {
  auto [status, outcome] = Get("/fhir/Observation?patient=p-1", "pat2");
  EXPECT_EQ(status, 403);
  EXPECT_EQ(outcome["resourceType"], "OperationOutcome");
  EXPECT_EQ(last_.body.find("valueQuantity"), std::string::npos);
  ASSERT_EQ(entries_.size(), 1u);
  EXPECT_EQ(entries_[0].fields.at("decision"), "denied");
  EXPECT_EQ(entries_[0].fields.at("basis"), "not-own-record");
  EXPECT_EQ(Get("/fhir/Patient/p-1", "root").first, 403);
  EXPECT_EQ(entries_.back().fields.at("basis"), "separation-of-duties");
  // Nonexistent and existing patients look alike to someone who may see neither.
  EXPECT_EQ(Get("/fhir/Patient/p-999", "pat2").second, Get("/fhir/Patient/p-1", "pat2").second);
}

TEST_F(ApiServiceTest, NoOrBadTokenIs401WithAChallenge) {
  for (const std::string user : {"", "mallory"}) {
    EXPECT_EQ(Get("/fhir/Patient/p-1", user).first, 401);
    ASSERT_EQ(last_.headers.size(), 1u);
    EXPECT_EQ(last_.headers[0].first, "WWW-Authenticate");
  }
  EXPECT_TRUE(entries_.empty());
  EXPECT_EQ(Get("/fhir/metadata", "").first, 200);
}

TEST_F(ApiServiceTest, BreakGlassIsAllowedMarkedAndReviewed) {
  EXPECT_EQ(Get("/fhir/Observation?patient=p-1&_count=5", "nina").first, 403);
  auto [status, bundle] = Get("/fhir/Observation?patient=p-1&_count=5", "nina", "code blue");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(bundle["entry"].size(), 5u);
  EXPECT_EQ(entries_.back().fields.at("decision"), "break-glass");
  EXPECT_EQ(entries_.back().fields.at("reason"), "code blue");
  auto reviews = hub_.store().access().ListReviews(true);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->size(), 1u);
  EXPECT_EQ((*reviews)[0].username, "nina");
  EXPECT_EQ(Get("/fhir/Observation?patient=p-1", "nina", std::string(300, 'x')).first, 400);
}

TEST_F(ApiServiceTest, ParseTargetDecodesAndRejectsBadEscapes) {
  ApiRequest r;
  ASSERT_TRUE(ParseTarget("/fhir/Observation?patient=p%2D1&date=ge2026&date=le2027&x", r).ok());
  EXPECT_EQ(r.path, "/fhir/Observation");
  EXPECT_EQ(r.Param("patient"), "p-1");
  EXPECT_EQ(r.Params("date").size(), 2u);
  EXPECT_EQ(r.Param("x"), "");
  EXPECT_FALSE(r.Param("y"));
  EXPECT_FALSE(ParseTarget("/a?b=%zz", r).ok());
  EXPECT_FALSE(ParseTarget("/a?b=%4", r).ok());
  r.authorization = "bearer abc";
  EXPECT_EQ(r.BearerToken(), "abc");
  r.authorization = "Basic abc";
  EXPECT_EQ(r.BearerToken(), "");
}

}  // namespace
}  // namespace vigil::api
