#include <gtest/gtest.h>

#include "detect/detection_engine.h"

namespace vigil::detect {
namespace {

constexpr int64_t kT = 1'800'000'000'000;

SecurityEvent Event(EventKind kind, int64_t t, std::string device, std::string user,
                    std::string address, std::string patient = "", std::string reason = "") {
  return {kind,
          t,
          std::move(device),
          std::move(user),
          std::move(address),
          std::move(patient),
          std::move(reason)};
}

class DetectionTest : public ::testing::Test {
 protected:
  DetectionTest()
      : clock_(kT),
        engine_(clock_, DefaultRules(RuleSettings{}), [this](const Alert& a, bool is_new) {
          (is_new ? raised_ : repeats_).push_back(a);
          return static_cast<int64_t>(raised_.size());
        }) {}

  void Feed(const std::vector<SecurityEvent>& events) {
    for (const auto& e : events) ASSERT_TRUE(engine_.Offer(e));
    engine_.Flush();
  }

  std::vector<std::string> Kinds() const {
    std::vector<std::string> out;
    for (const auto& a : raised_) {
      out.push_back(std::string(events::AlertKindName(a.kind)) + " " + a.entity.ToString());
    }
    return out;
  }

  ManualClock clock_;
  std::vector<Alert> raised_, repeats_;
  DetectionEngine engine_;
};

TEST_F(DetectionTest, ACloneIsOneIdentityFightingFromTwoAddresses) {
  Feed({Event(EventKind::kConnectionAccepted, kT, "dev-1", "", "10.0.0.1"),
        Event(EventKind::kConnectionAccepted, kT + 5000, "dev-1", "", "10.0.0.1"),
        Event(EventKind::kConnectionAccepted, kT + 6000, "dev-2", "", "10.0.0.2")});
  EXPECT_TRUE(raised_.empty());  // reconnects from one address are not a clone
  // Roaming: Wi-Fi to cellular and back again is not a clone either.
  Feed({Event(EventKind::kConnectionAccepted, kT + 7000, "dev-1", "", "10.9.9.9"),
        Event(EventKind::kConnectionAccepted, kT + 20000, "dev-1", "", "10.0.0.1")});
  EXPECT_TRUE(raised_.empty());
  // Two holders of the certificate taking the connection from each other are.
  Feed({Event(EventKind::kConnectionAccepted, kT + 21000, "dev-1", "", "10.9.9.9")});
  ASSERT_EQ(Kinds(), std::vector<std::string>{"device-clone device:dev-1"});
  EXPECT_EQ(raised_[0].technique, "T1078");
  EXPECT_EQ(raised_[0].severity, Severity::kHigh);
  EXPECT_EQ(raised_[0].evidence.at("latest_address"), "10.9.9.9");
  EXPECT_EQ(raised_[0].evidence.at("address_changes"), "3");
  // Outside the window the old changes no longer count.
  Feed({Event(EventKind::kConnectionAccepted, kT + 200'000, "dev-2", "", "10.0.0.3")});
  EXPECT_EQ(raised_.size(), 1u);
}

TEST_F(DetectionTest, BruteForceSprayingAndStuffing) {
  std::vector<SecurityEvent> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(Event(EventKind::kLoginFailed, kT + i, "", "alice", "10.0.0.1"));
  }
  for (int i = 0; i < 5; ++i) {
    events.push_back(
        Event(EventKind::kLoginFailed, kT + 10 + i, "", "user" + std::to_string(i), "10.6.6.6"));
  }
  for (int i = 0; i < 5; ++i) {
    events.push_back(
        Event(EventKind::kLoginFailed, kT + 20 + i, "", "bob", "10.1.1." + std::to_string(i)));
  }
  Feed(events);
  const auto kinds = Kinds();
  for (const char* expected : {"brute-force user:alice", "password-spraying address:10.6.6.6",
                               "credential-stuffing user:bob"}) {
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), expected), kinds.end()) << expected;
  }
  // bob failed 5 times too: brute force on bob is also right.
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "brute-force user:alice"), 1);
}

TEST_F(DetectionTest, RepeatsFoldIntoTheOpenAlert) {
  std::vector<SecurityEvent> events;
  for (int i = 0; i < 30; ++i) {
    events.push_back(Event(EventKind::kConnectionRefused, kT + i * 100, "", "", "10.6.6.6", "",
                           "unknown_certificate"));
  }
  Feed(events);
  ASSERT_EQ(Kinds(), std::vector<std::string>{"refused-connections address:10.6.6.6"});
  // 20 repeats folded into it (events 11..30); the sink hears of them at most once a second
  // (the events span 3 s), each time with the count so far and the alert's id.
  EXPECT_GE(repeats_.size(), 2u);
  EXPECT_LE(repeats_.size(), 3u);
  int64_t previous = 1;
  for (const auto& r : repeats_) {
    EXPECT_GT(r.count, previous);
    EXPECT_LE(r.count, 21);
    EXPECT_EQ(r.id, 1);
    previous = r.count;
  }
}

TEST_F(DetectionTest, FloodsInsidersAndBreakGlass) {
  std::vector<SecurityEvent> events;
  for (int i = 0; i < 60; ++i) {
    events.push_back(Event(EventKind::kReadingAccepted, kT + i * 10, "dev-7", "", "10.0.0.7"));
  }
  for (int i = 0; i < 20; ++i) {
    events.push_back(Event(EventKind::kAccessDecision, kT + i, "", "mallory", "10.0.0.8",
                           "p-" + std::to_string(i), "allowed"));
  }
  events.push_back(
      Event(EventKind::kAccessDecision, kT, "", "nina", "10.0.0.9", "p-1", "break-glass"));
  events.push_back(Event(EventKind::kAccessDecision, kT, "", "eve", "10.0.0.9", "p-2", "denied"));
  Feed(events);
  const auto kinds = Kinds();
  for (const char* expected : {"message-flood device:dev-7", "many-patients user:mallory",
                               "break-glass user:nina", "access-outside-care-team user:eve"}) {
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), expected), kinds.end()) << expected;
  }
}

// A nurse reading each patient of the ward's care team (or a clinician listing their patients)
// is doing the job: no many-patients alert, however many; the same reads outside any care team
// are browsing.
TEST_F(DetectionTest, ReadsThroughTheCareTeamAreNotBrowsing) {
  std::vector<SecurityEvent> events;
  for (int i = 0; i < 40; ++i) {
    events.push_back(Event(EventKind::kAccessDecision, kT + i, "", "ward-nurse", "10.0.0.8",
                           "p-" + std::to_string(i), "care-team"));
  }
  Feed(events);
  for (const auto& kind : Kinds()) EXPECT_EQ(kind.find("many-patients"), std::string::npos) << kind;
}

// A client paging one patient's record with small pages makes many requests for an ordinary
// amount of data: nothing. Bulk is rows sent, whatever the number of requests.
TEST_F(DetectionTest, BulkReadsCountRowsNotRequests) {
  std::vector<SecurityEvent> events;
  for (int page = 0; page < 1430; ++page) {  // 10,000 rows at _count=7
    events.push_back(
        Event(EventKind::kAccessDecision, kT + page, "", "dr.page", "10.0.0.5", "p-1", "allowed"));
    SecurityEvent sent = Event(EventKind::kDataSent, kT + page, "", "dr.page", "10.0.0.5", "p-1");
    sent.size = 7;
    events.push_back(sent);
  }
  for (int pull = 0; pull < 21; ++pull) {  // 21,000 rows in 21 requests
    events.push_back(Event(EventKind::kAccessDecision, kT + pull, "", "dr.pull", "10.0.0.6",
                           "p-" + std::to_string(pull % 3), "allowed"));
    SecurityEvent sent = Event(EventKind::kDataSent, kT + pull, "", "dr.pull", "10.0.0.6",
                               "p-" + std::to_string(pull % 3));
    sent.size = 1000;
    events.push_back(sent);
  }
  Feed(events);
  EXPECT_EQ(Kinds(), std::vector<std::string>{"bulk-reads user:dr.pull"});
  ASSERT_EQ(raised_.size(), 1u);
  EXPECT_EQ(raised_[0].evidence.at("rows_in_window"), "20000");
}

// One break-glass is an emergency (medium); into patient after patient it escalates to high,
// and the alert lists every patient, not only the last.
TEST_F(DetectionTest, BreakGlassIntoManyPatientsEscalatesAndListsThem) {
  Feed({Event(EventKind::kAccessDecision, kT, "", "nina", "10.0.0.9", "p-1", "break-glass")});
  ASSERT_EQ(raised_.size(), 1u);
  EXPECT_EQ(raised_[0].severity, Severity::kMedium);
  Feed(
      {Event(EventKind::kAccessDecision, kT + 1000, "", "nina", "10.0.0.9", "p-2", "break-glass"),
       Event(EventKind::kAccessDecision, kT + 2000, "", "nina", "10.0.0.9", "p-3", "break-glass")});
  ASSERT_EQ(raised_.size(), 1u);  // one alert, folded and escalated
  ASSERT_FALSE(repeats_.empty());
  const Alert& latest = repeats_.back();
  EXPECT_EQ(latest.severity, Severity::kHigh);
  EXPECT_EQ(latest.evidence.at("patients_in_window"), "3");
  EXPECT_EQ(latest.evidence.at("patients"), "p-1,p-2,p-3");
}

TEST(DetectionEngineTest, ShedsWhenFullAndSaysSo) {
  ManualClock clock(kT);
  std::vector<Alert> raised;
  std::mutex mu;
  // A rule that holds the engine up so that the queue fills.
  struct Slow final : Rule {
    KindSet Watches() const override { return KindBit(EventKind::kReadingAccepted); }
    void Observe(const SecurityEvent&, const AlertSink&) override {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  std::vector<std::unique_ptr<Rule>> rules;
  rules.push_back(std::make_unique<Slow>());
  DetectionEngine engine(
      clock, std::move(rules),
      [&](const Alert& a, bool) {
        std::lock_guard lock(mu);
        raised.push_back(a);
        return int64_t{1};
      },
      /*capacity=*/4);
  int accepted = 0;
  for (int i = 0; i < 50; ++i)
    accepted += engine.Offer(Event(EventKind::kReadingAccepted, kT, "d", "", "a")) ? 1 : 0;
  engine.Flush();
  EXPECT_LT(accepted, 50);
  EXPECT_EQ(engine.shed(), static_cast<uint64_t>(50 - accepted));
  engine.Submit(Event(EventKind::kReadingAccepted, kT, "d", "", "a"));
  engine.Flush();
  std::lock_guard lock(mu);
  ASSERT_FALSE(raised.empty());
  EXPECT_EQ(raised.back().kind, AlertKind::kDetectionShedding);
}

TEST_F(DetectionTest, RefusedReadingsByReason) {
  std::vector<SecurityEvent> events;
  for (int i = 0; i < 2; ++i) {
    events.push_back(
        Event(EventKind::kReadingRefused, kT + i, "dev-1", "", "10.0.0.1", "", "replay"));
  }
  events.push_back(
      Event(EventKind::kReadingRefused, kT + 5, "dev-2", "", "10.0.0.2", "", "unit_not_accepted"));
  Feed(events);
  EXPECT_TRUE(raised_.empty());  // two replays are a glitch; an unknown unit is a maker's bug
  Feed({Event(EventKind::kReadingRefused, kT + 10, "dev-1", "", "10.0.0.1", "", "replay"),
        Event(EventKind::kReadingRefused, kT + 11, "dev-3", "", "10.0.0.3", "", "subscribe"),
        Event(EventKind::kReadingRefused, kT + 12, "dev-4", "", "10.0.0.4", "", "too_large")});
  EXPECT_EQ(Kinds(), (std::vector<std::string>{"replayed-readings device:dev-1",
                                               "topic-violation device:dev-3",
                                               "oversize-messages device:dev-4"}));
  EXPECT_EQ(raised_[0].evidence.at("in_window"), "3");
  for (int i = 0; i < 3; ++i) {
    Feed({Event(EventKind::kReadingRefused, kT + 20 + i, "dev-5", "", "a", "",
                "implausible_value")});
  }
  EXPECT_EQ(raised_.back().kind, AlertKind::kImplausibleValues);
}

// A device whose acknowledgements were lost sends its backlog again, each message once: nothing.
// One captured message sent again and again is a replay, even though each copy is acknowledged.
TEST_F(DetectionTest, AResentBacklogIsNormalTheSameMessageAgainAndAgainIsAReplay) {
  auto resent = [](int64_t t, const std::string& device, uint64_t seq) {
    SecurityEvent e = Event(EventKind::kReadingAccepted, t, device, "", "10.0.0.1", "", "resend");
    e.seq = seq;
    return e;
  };
  std::vector<SecurityEvent> backlog;
  for (uint64_t seq = 1; seq <= 20; ++seq) backlog.push_back(resent(kT + seq, "dev-lost", seq));
  Feed(backlog);
  EXPECT_TRUE(raised_.empty());
  std::vector<SecurityEvent> replayed;
  for (int i = 0; i < 5; ++i) replayed.push_back(resent(kT + 100 + i, "dev-replayed", 3));
  Feed(replayed);
  EXPECT_EQ(Kinds(), std::vector<std::string>{"replayed-readings device:dev-replayed"});
}

TEST_F(DetectionTest, ReconnectStorm) {
  for (int i = 0; i < 9; ++i) {
    Feed({Event(EventKind::kConnectionAccepted, kT + i * 1000, "dev-1", "", "10.0.0.1")});
  }
  EXPECT_TRUE(raised_.empty());
  Feed({Event(EventKind::kConnectionAccepted, kT + 9000, "dev-1", "", "10.0.0.1")});
  EXPECT_EQ(Kinds(), std::vector<std::string>{"reconnect-storm device:dev-1"});
}

TEST_F(DetectionTest, MfaFailuresAndATokenFromANewAddress) {
  Feed({Event(EventKind::kLoginFailed, kT, "", "alice", "10.0.0.1", "", "bad_password"),
        Event(EventKind::kLoginFailed, kT + 1, "", "bob", "10.0.0.1", "", "bad_code"),
        Event(EventKind::kLoginFailed, kT + 2, "", "bob", "10.0.0.1", "", "reused_code")});
  EXPECT_TRUE(raised_.empty());
  Feed({Event(EventKind::kLoginFailed, kT + 3, "", "bob", "10.0.0.2", "", "bad_code"),
        Event(EventKind::kSessionNewAddress, kT + 4, "", "carol", "10.6.6.6", "", "10.0.0.9")});
  EXPECT_EQ(Kinds(),
            (std::vector<std::string>{"mfa-failures user:bob", "session-new-address user:carol"}));
  EXPECT_EQ(raised_[1].technique, "T1550.004");
  EXPECT_EQ(raised_[1].evidence.at("mfa_address"), "10.0.0.9");
}

}  // namespace
}  // namespace vigil::detect

namespace vigil::detect {
namespace {

// Credential stuffing spread thin: one attempt per account and per address, every 20 s, from a
// leaked list (mostly accounts the hub does not have). No per-account or per-address rule sees
// it; the hub-wide campaign does.
TEST_F(DetectionTest, ASlowStuffingCampaignIsSeenHubWide) {
  std::vector<SecurityEvent> events;
  for (int i = 0; i < 12; ++i) {
    const std::string user =
        i % 3 == 0 ? "staff" + std::to_string(i) : "sha256:leak" + std::to_string(i);
    events.push_back(Event(EventKind::kLoginFailed, kT + i * 20'000, "", user,
                           "198.51.100." + std::to_string(i), "", "bad_password"));
  }
  Feed(events);
  ASSERT_EQ(Kinds(), std::vector<std::string>{"login-campaign hub:auth"});
  EXPECT_EQ(raised_[0].severity, Severity::kHigh);
  EXPECT_EQ(raised_[0].evidence.at("accounts_in_window"), "10");
  EXPECT_EQ(raised_[0].evidence.at("unknown_accounts_in_window"), "6");
  EXPECT_NE(raised_[0].evidence.at("addresses").find("198.51.100.0"), std::string::npos);
}

// A shift change: two hundred sign-ins, a dozen typos of real accounts from many workstations.
TEST_F(DetectionTest, AShiftChangesTyposAreNotACampaign) {
  std::vector<SecurityEvent> events;
  for (int i = 0; i < 200; ++i) {
    const std::string user = "nurse" + std::to_string(i);
    const std::string station = "10.1.0." + std::to_string(i % 40);
    if (i % 15 == 0) {
      events.push_back(
          Event(EventKind::kLoginFailed, kT + i * 3000, "", user, station, "", "bad_password"));
    }
    events.push_back(Event(EventKind::kLoginSucceeded, kT + i * 3000 + 1, "", user, station));
  }
  Feed(events);
  EXPECT_TRUE(raised_.empty()) << Kinds()[0];
}

// Returning users sign in from their own stations, a few from another now and then: nothing.
// Then a dozen of them from a dozen addresses none of them used: a campaign that got through.
TEST_F(DetectionTest, ManyAccountsSigningInFromAddressesNewToThem) {
  std::vector<SecurityEvent> events;
  int64_t t = kT;
  for (int day = 0; day < 3; ++day) {
    for (int i = 0; i < 40; ++i) {
      const std::string user = "nurse" + std::to_string(i);
      // Day 2: four nurses work at another ward's station (new to them, within one window).
      const bool moved = day == 2 && i < 4;
      const std::string station = "10.1.0." + std::to_string(moved ? 100 + i : i);
      events.push_back(Event(EventKind::kLoginSucceeded, t += 10'000, "", user, station));
    }
    t += 86'400'000;
  }
  Feed(events);
  EXPECT_TRUE(raised_.empty()) << Kinds()[0];
  events.clear();
  for (int i = 0; i < 12; ++i) {
    events.push_back(Event(EventKind::kLoginSucceeded, t += 30'000, "", "nurse" + std::to_string(i),
                           "203.0.113." + std::to_string(i)));
  }
  Feed(events);
  ASSERT_EQ(Kinds(), std::vector<std::string>{"new-address-sign-ins hub:auth"});
  EXPECT_EQ(raised_[0].severity, Severity::kMedium);
  EXPECT_EQ(raised_[0].evidence.at("accounts_in_window"), "10");
  EXPECT_NE(raised_[0].evidence.at("addresses").find("203.0.113.0"), std::string::npos);
}

TEST_F(DetectionTest, TheRightPasswordFromANewAddressThenAWrongCode) {
  Feed({Event(EventKind::kLoginSucceeded, kT, "", "alice", "10.0.0.1"),
        // A typo at her own workstation is only a typo.
        Event(EventKind::kLoginFailed, kT + 1000, "", "alice", "10.0.0.1", "", "bad_code"),
        // Someone new to the hub mistyping their first code is not an attacker either.
        Event(EventKind::kLoginFailed, kT + 2000, "", "newbie", "10.0.0.9", "", "bad_code")});
  EXPECT_TRUE(raised_.empty());
  Feed({Event(EventKind::kLoginFailed, kT + 3000, "", "alice", "203.0.113.7", "", "bad_code")});
  ASSERT_EQ(Kinds(), std::vector<std::string>{"password-from-new-address user:alice"});
  EXPECT_EQ(raised_[0].severity, Severity::kHigh);
  EXPECT_EQ(raised_[0].evidence.at("address"), "203.0.113.7");
}

}  // namespace
}  // namespace vigil::detect

namespace vigil::detect {
namespace {

SecurityEvent Accepted(int64_t t, const std::string& address, uint64_t seq) {
  SecurityEvent e = Event(EventKind::kReadingAccepted, t, "dev-1", "", address);
  e.seq = seq;
  return e;
}

// The alert names the copy, not the device, and the copy's readings for the responder to mark.
TEST_F(DetectionTest, ACloneIsNamedByItsAddressAndItsReadingsAreListed) {
  Feed({Event(EventKind::kConnectionAccepted, kT, "dev-1", "", "10.0.0.1"),
        Accepted(kT + 1, "10.0.0.1", 1), Accepted(kT + 2, "10.0.0.1", 2),
        Event(EventKind::kConnectionAccepted, kT + 10, "dev-1", "", "10.9.9.9"),
        Accepted(kT + 11, "10.9.9.9", 3), Accepted(kT + 12, "10.9.9.9", 4),
        Event(EventKind::kConnectionAccepted, kT + 20, "dev-1", "", "10.0.0.1"),
        Event(EventKind::kConnectionAccepted, kT + 30, "dev-1", "", "10.9.9.9")});
  ASSERT_EQ(Kinds(), std::vector<std::string>{"device-clone device:dev-1"});
  EXPECT_EQ(raised_[0].evidence.at("clone_address"), "10.9.9.9");
  EXPECT_EQ(raised_[0].evidence.at("home_address"), "10.0.0.1");
  EXPECT_EQ(raised_[0].evidence.at("suspect_seqs"), "4,3");
  EXPECT_EQ(raised_[0].evidence.at("suspect_reason"), "clone");
}

// A clone that connects only while the device is away, continuing its counter: never two
// connections at once, never a fight; the device's own next reading is a "replay".
TEST_F(DetectionTest, ACloneThatAvoidsOverlappingSharesTheCounter) {
  std::vector<SecurityEvent> events = {
      Event(EventKind::kConnectionAccepted, kT, "dev-1", "", "10.0.0.1")};
  for (uint64_t s = 1; s <= 3; ++s) events.push_back(Accepted(kT + s, "10.0.0.1", s));
  events.push_back(Event(EventKind::kConnectionAccepted, kT + 100, "dev-1", "", "10.9.9.9"));
  for (uint64_t s = 4; s <= 9; ++s) events.push_back(Accepted(kT + 100 + s, "10.9.9.9", s));
  events.push_back(Event(EventKind::kConnectionAccepted, kT + 200, "dev-1", "", "10.0.0.1"));
  Feed(events);
  EXPECT_TRUE(raised_.empty());  // one change of address and back: roaming, so far
  Feed({Event(EventKind::kReadingRefused, kT + 201, "dev-1", "", "10.0.0.1", "", "replay")});
  ASSERT_EQ(Kinds(), std::vector<std::string>{"device-clone device:dev-1"});
  EXPECT_EQ(raised_[0].evidence.at("clone_address"), "10.9.9.9");
  EXPECT_EQ(raised_[0].evidence.at("suspect_seqs"), "9,8,7,6,5,4");
}

// The TLS client a certificate is used with: a firmware update at home or roaming with the same
// software raise nothing; other software from elsewhere does, and names the copy in a clone alert
// even when the copy reached the device's home address first.
TEST_F(DetectionTest, ACertificateInOtherTlsSoftwareElsewhere) {
  const auto connect = [](int64_t t, const char* address, const char* tls) {
    return Event(EventKind::kConnectionAccepted, t, "dev-1", "", address, "", tls);
  };
  Feed({connect(kT, "10.0.0.1", "own-fw-1"), connect(kT + 1000, "10.0.0.1", "own-fw-2"),
        connect(kT + 2000, "10.7.7.7", "own-fw-2")});
  EXPECT_TRUE(raised_.empty());  // an update at home, then roaming with it
  Feed({connect(kT + 3000, "10.9.9.9", "python-ssl")});
  ASSERT_EQ(Kinds(), std::vector<std::string>{"new-tls-client device:dev-1"});
  EXPECT_EQ(raised_[0].severity, Severity::kMedium);
  EXPECT_EQ(raised_[0].evidence.at("tls_client"), "python-ssl");
  EXPECT_EQ(raised_[0].evidence.at("home_tls_client"), "own-fw-1");
}

TEST_F(DetectionTest, TheCloneIsTheOneWithAnotherTlsClient) {
  // The copy connects first, from an address the device has never used; the device then
  // connects from its own, with its own software; the two share the counter.
  std::vector<SecurityEvent> events = {
      Event(EventKind::kConnectionAccepted, kT, "dev-1", "", "10.0.0.1", "", "own")};
  for (uint64_t s = 1; s <= 3; ++s) events.push_back(Accepted(kT + s, "10.0.0.1", s));
  events.push_back(
      Event(EventKind::kConnectionAccepted, kT + 100, "dev-1", "", "10.9.9.9", "", "attacker"));
  for (uint64_t s = 4; s <= 6; ++s) events.push_back(Accepted(kT + 100 + s, "10.9.9.9", s));
  events.push_back(
      Event(EventKind::kConnectionAccepted, kT + 200, "dev-1", "", "10.0.0.2", "", "own"));
  events.push_back(
      Event(EventKind::kReadingRefused, kT + 201, "dev-1", "", "10.0.0.2", "", "replay"));
  Feed(events);
  ASSERT_FALSE(raised_.empty());
  const auto clone = std::find_if(raised_.begin(), raised_.end(),
                                  [](const Alert& a) { return a.kind == AlertKind::kDeviceClone; });
  ASSERT_NE(clone, raised_.end());
  EXPECT_EQ(clone->evidence.at("clone_address"), "10.9.9.9");
  EXPECT_EQ(clone->evidence.at("clone_tls_client"), "attacker");
  EXPECT_EQ(clone->evidence.at("suspect_seqs"), "6,5,4");
}

// A device whose counter reset (a factory reset) sends "replays" from its own address: no clone.
TEST_F(DetectionTest, ACounterResetAtHomeIsNoClone) {
  Feed({Event(EventKind::kConnectionAccepted, kT, "dev-1", "", "10.0.0.1"),
        Accepted(kT + 1, "10.0.0.1", 7),
        Event(EventKind::kReadingRefused, kT + 2, "dev-1", "", "10.0.0.1", "", "replay")});
  EXPECT_TRUE(raised_.empty());
}

}  // namespace
}  // namespace vigil::detect

namespace vigil::detect {
namespace {

// What the rules learnt survives a restart: a fresh rule set given the saved state judges as
// the old one did (a restart is no fresh start for an attacker).
TEST(DetectionStateTest, RulesGiveBackWhatTheyLearnt) {
  std::map<std::string, std::string> saved;
  std::vector<Alert> raised;
  {
    ManualClock clock(kT);
    DetectionEngine engine(
        clock, DefaultRules(RuleSettings{}), [](const Alert&, bool) { return int64_t{1}; }, 1024,
        [&](const std::string& name, const std::string& state) { saved[name] = state; });
    ASSERT_TRUE(engine.Offer(Event(EventKind::kLoginSucceeded, kT, "", "alice", "10.0.0.1")));
    ASSERT_TRUE(engine.Offer(Event(EventKind::kConnectionAccepted, kT, "dev-1", "", "10.0.0.7")));
    engine.Stop();  // saves once more as it stops
  }
  ASSERT_TRUE(saved.contains("sign-in-addresses"));
  ASSERT_TRUE(saved.contains("device-homes"));
  ASSERT_TRUE(saved.contains("baselines"));
  auto rules = DefaultRules(RuleSettings{});
  for (auto& rule : rules) {
    if (rule->StateName().empty()) continue;
    EXPECT_TRUE(rule->RestoreState(saved[rule->StateName()]).ok()) << rule->StateName();
    // What cannot be read is said, and changes nothing of what was restored.
    EXPECT_EQ(rule->RestoreState("not json").code(), StatusCode::kDataLoss);
    EXPECT_EQ(rule->RestoreState(R"({"x": 7})").code(), StatusCode::kDataLoss);
  }
  ManualClock clock(kT + 3'600'000);
  DetectionEngine restarted(clock, std::move(rules), [&](const Alert& a, bool) {
    raised.push_back(a);
    return int64_t{1};
  });
  // Alice's address is known after the restart: a wrong code from elsewhere is the signal.
  ASSERT_TRUE(restarted.Offer(
      Event(EventKind::kLoginFailed, kT + 3'600'000, "", "alice", "10.6.6.6", "", "bad_code")));
  restarted.Flush();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, AlertKind::kPasswordFromNewAddress);
}

}  // namespace
}  // namespace vigil::detect

namespace vigil::detect {
namespace {

TEST_F(DetectionTest, OneForgedRetransmissionIsEnough) {
  Feed({Event(EventKind::kReadingRefused, kT, "dev-1", "", "10.0.0.1", "", "replay")});
  EXPECT_TRUE(raised_.empty());  // a device's counter may step back once
  Feed({Event(EventKind::kReadingRefused, kT + 1, "dev-2", "", "10.0.0.2", "",
              "replay_dup_mismatch")});
  ASSERT_EQ(Kinds(), std::vector<std::string>{"replayed-readings device:dev-2"});
  EXPECT_EQ(raised_[0].severity, Severity::kHigh);
  EXPECT_EQ(raised_[0].evidence.at("latest_outcome"), "refused");
}

}  // namespace
}  // namespace vigil::detect
