// The reading commit under power cuts and failed fsyncs (tests/unit/power_cut_env.h): the whole
// path a reading takes -- pipeline, group commit, ledger append, signed checkpoint -- with the
// power cut at each of its durable operations in turn.
#include <gtest/gtest.h>

#include <future>
#include <set>

#include "admin/ledger_verify.h"
#include "core/readiness.h"
#include "crypto/ed25519.h"
#include "events/audit_records.h"
#include "ingest/pipeline.h"
#include "ingest/reading_committer.h"
#include "ledger/ledger.h"
#include "ledger/signed_head.h"
#include "power_cut_env.h"
#include "test_hub.h"

namespace vigil::ingest {
namespace {

constexpr int64_t kNow = 1795341600000;  // 2026-11-22T10:00:00Z
constexpr int kRounds = 3;
constexpr int kPerDevicePerRound = 2;

std::string Message(uint64_t seq) {
  return R"({"seq":)" + std::to_string(seq) + R"(,"ts":"2026-11-22T10:00:00Z","readings":[)" +
         R"({"type":"heart_rate","value":)" + std::to_string(60 + seq % 40) +
         R"(,"unit":"/min"}]})";
}

using Reading = std::pair<std::string, uint64_t>;  // device, sequence number

// One hub, its readings and its ledger, on a PowerCutEnv.
class Scenario {
 public:
  explicit Scenario(testing::PowerCutEnv& env) : env_(env), hub_((env.ForgetFiles(), env)) {
    auto ledger = std::move(ledger::Ledger::Open(hub_.store())).value();
    for (const auto& [patient, device] : {std::pair{"p-1", "d-1"}, std::pair{"p-2", "d-2"}}) {
      hub_.Enroll(patient, device);  // as `vigil patient add` and `vigil device enroll` record it
      EXPECT_TRUE(
          ledger
              ->Append({events::Record(kNow, events::audit::PatientAdded{.patient = patient}),
                        events::Record(kNow, events::audit::DeviceEnrolled{.device = device,
                                                                           .patient = patient,
                                                                           .type = "pulse-oximeter",
                                                                           .cert_sha256 = "ff"})})
              .ok());
    }
    const auto pair = *crypto::GenerateEd25519();
    key_ = {"test-hub", pair.private_key, pair.public_key};
  }

  // Sends each device's readings seq, seq + 1, ... in rounds (the hub acknowledges a round
  // before the next is sent), signing a checkpoint after the second round, with the power cut
  // at durable operation `cut_at` (0: never). The readings acknowledged.
  std::set<Reading> Run(uint64_t cut_at, uint64_t first_seq) {
    std::set<Reading> acknowledged;
    ManualClock clock(kNow);
    IngestMetrics metrics;
    auto ledger = std::move(ledger::Ledger::Open(hub_.store())).value();
    ReadingCommitter committer(hub_.store(), ledger.get(), clock, 4);
    ReadingPipeline pipeline(hub_.store(), hub_.store(), hub_.keys(), committer, clock,
                             IngestLimits{}, metrics);
    env_.CutPowerAtOperation(cut_at);
    uint64_t seq = first_seq;
    for (int round = 0; round < kRounds; ++round) {
      std::vector<std::pair<Reading, std::future<IngestOutcome>>> sent;
      for (int i = 0; i < kPerDevicePerRound; ++i, ++seq) {
        for (const std::string device : {"d-1", "d-2"}) {
          auto done = std::make_shared<std::promise<IngestOutcome>>();
          sent.emplace_back(Reading{device, seq}, done->get_future());
          pipeline.Submit({device, device == "d-1" ? "p-1" : "p-2"}, Message(seq), Delivery::kFirst,
                          [done](const IngestOutcome& o) { done->set_value(o); });
        }
      }
      for (auto& [reading, outcome] : sent) {
        if (!outcome.get().refusal.refused()) acknowledged.insert(reading);
      }
      if (round == 1) {
        (void)ledger::MakeRememberedCheckpoint(*ledger, hub_.store(), HeadPath(), "test-hub/ledger",
                                               key_, kNow, env_);
      }
    }
    committer.Stop();
    return acknowledged;
  }

  // The machine loses power (if it has not yet): the hub's process ends, the disk keeps what
  // was synced, the hub starts again.
  void Restart() {
    hub_.Close();
    env_.RestoreDurableState();
    hub_.Reopen();
    // What the hub does as it starts: resume the ledger, recomputing the tree nodes a power
    // loss may have taken (they are derived data).
    auto resumed = ledger::Ledger::Open(hub_.store());
    ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  }

  // What verification after a restart must find: the ledger whole and matching every row and
  // the remembered head, every acknowledged reading, and no reading half there (a receipt
  // without its Observation or the reverse) among sequence numbers [first, last].
  void Check(const std::set<Reading>& acknowledged, uint64_t first, uint64_t last,
             const std::string& when) {
    const std::string verifier = ledger::VerifierKey(key_.name, key_.public_key);
    auto head = ledger::ReadSignedHead(HeadPath(), verifier);
    ASSERT_TRUE(head.ok()) << when << ": " << head.status().ToString();
    std::vector<admin::RememberedCheckpoint> remembered;
    if (*head) remembered.push_back({(*head)->checkpoint, HeadPath()});
    auto report = admin::VerifyLedger(hub_.store(), verifier, remembered);
    ASSERT_TRUE(report.ok()) << when << ": " << report.status().ToString();
    std::set<Reading> stored, observed;
    for (const std::string device : {"d-1", "d-2"}) {
      for (uint64_t seq = first; seq <= last; ++seq) {
        auto digest = hub_.store().FindReceiptDigest(device, seq);
        ASSERT_TRUE(digest.ok());
        if (*digest) stored.insert({device, seq});
      }
    }
    for (const char* patient : {"p-1", "p-2"}) {
      auto rows = hub_.store().ListObservations(patient);
      ASSERT_TRUE(rows.ok()) << rows.status().ToString();
      for (const auto& o : rows.value()) {
        if (o.seq >= first && o.seq <= last) observed.insert({o.device_id, o.seq});
      }
    }
    for (const auto& r : acknowledged) {
      EXPECT_TRUE(stored.count(r))
          << when << ": acknowledged " << r.first << "#" << r.second << " lost";
    }
    EXPECT_EQ(stored, observed) << when << ": a reading is half there";
  }

  testing::TestHub& hub() { return hub_; }

 private:
  std::string HeadPath() const { return hub_.dir() + "/ledger.head"; }

  testing::PowerCutEnv& env_;
  testing::TestHub hub_;
  ledger::NoteKey key_;
};

constexpr uint64_t kLastSeq = kRounds * kPerDevicePerRound;

TEST(PowerCutTest, NoAcknowledgedReadingIsLostOrHalfThereWhereverThePowerFails) {
  VIGIL_SQLITE_ONLY();  // the power is cut under SQLite's file I/O (PostgreSQL's is its own)
  testing::PowerCutEnv env;
  uint64_t cut_at = 1;
  for (;; ++cut_at) {
    ASSERT_LT(cut_at, 5000u) << "the run never ends";
    Scenario s(env);
    const std::set<Reading> acknowledged = s.Run(cut_at, 1);
    const bool power_failed = env.power_is_off();
    s.Restart();
    const std::string when = "power cut at operation " + std::to_string(cut_at);
    s.Check(acknowledged, 1, kLastSeq, when);
    if (::testing::Test::HasFailure()) return;
    // The hub carries on where it was: new readings are stored, the ledger still verifies.
    const std::set<Reading> later = s.Run(0, 100);
    EXPECT_EQ(later.size(), 2u * kLastSeq) << when;
    s.Restart();
    s.Check(later, 100, 100 + kLastSeq - 1, when + ", then a clean run");
    if (::testing::Test::HasFailure() || !power_failed) break;
  }
  // Every durable operation of the run was a cut point once (a run is dozens of them).
  EXPECT_GT(cut_at, 20u);
  ::testing::Test::RecordProperty("cut_points", static_cast<int>(cut_at - 1));
}

TEST(PowerCutTest, AFailedFsyncStopsAcknowledgingUntilTheHubIsRestarted) {
  VIGIL_SQLITE_ONLY();
  testing::PowerCutEnv env;
  Scenario s(env);
  ManualClock clock(kNow);
  IngestMetrics metrics;
  Readiness readiness;
  auto ledger = std::move(ledger::Ledger::Open(s.hub().store())).value();
  ReadingCommitter committer(s.hub().store(), ledger.get(), clock, 4);
  ReadingPipeline pipeline(s.hub().store(), s.hub().store(), s.hub().keys(), committer, clock,
                           IngestLimits{}, metrics, &readiness);
  const auto send = [&](uint64_t seq) {
    std::promise<IngestOutcome> done;
    pipeline.Submit({"d-1", "p-1"}, Message(seq), Delivery::kFirst,
                    [&](const IngestOutcome& o) { done.set_value(o); });
    return done.get_future().get();
  };
  ASSERT_FALSE(send(1).refusal.refused());
  env.FailSyncs(true);
  EXPECT_EQ(send(2).refusal.reason, Refusal::kStoreFailure);
  env.FailSyncs(false);  // the disk answers again, but what it lost meanwhile is unknown
  EXPECT_EQ(send(3).refusal.reason, Refusal::kStoreFailure);
  EXPECT_EQ(send(4).refusal.reason, Refusal::kStoreFailure);
  ASSERT_TRUE(readiness.Has(Readiness::Cause::kStoreWrites));
  EXPECT_NE(readiness.Reasons().find("fsync failed"), std::string::npos) << readiness.Reasons();
  EXPECT_NE(readiness.Reasons().find("restart the hub"), std::string::npos) << readiness.Reasons();
  committer.Stop();
  ledger.reset();
  s.Restart();
  s.Check({{"d-1", 1}}, 1, 4, "after a failed fsync");
  EXPECT_FALSE(*s.hub().store().FindReceiptDigest("d-1", 3));
  EXPECT_FALSE(*s.hub().store().FindReceiptDigest("d-1", 4));
}

}  // namespace
}  // namespace vigil::ingest
