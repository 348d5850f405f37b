#include "ingest/pipeline.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "core/time_format.h"
#include "model/plausible_change.h"
#include "test_hub.h"

namespace vigil::ingest {
namespace {

constexpr int64_t kNow = 1795341600000;  // 2026-11-22T10:00:00Z

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() { hub_.Enroll("p-1", "d-1"); }

  IngestOutcome Send(const std::string& payload, Delivery delivery = Delivery::kFirst) {
    std::promise<IngestOutcome> promise;
    pipeline_.Submit({"d-1", "p-1"}, payload, delivery,
                     [&](const IngestOutcome& o) { promise.set_value(o); });
    return promise.get_future().get();
  }

  static std::string Message(int seq, int hr, const std::string& ts = "2026-11-22T10:00:00Z") {
    return R"({"seq":)" + std::to_string(seq) + R"(,"ts":")" + ts + R"(","readings":[)" +
           R"({"type":"heart_rate","value":)" + std::to_string(hr) + R"(,"unit":"/min"}]})";
  }

  vigil::testing::TestHub hub_;
  ManualClock clock_{kNow};
  IngestMetrics metrics_;
  ReadingCommitter committer_{hub_.store(), nullptr, clock_, 128};
  ReadingPipeline pipeline_{hub_.store(), hub_.store(),   hub_.keys(), committer_,
                            clock_,       IngestLimits{}, metrics_};
};

TEST_F(PipelineTest, StoresAndSealsAcceptedReadings) {
  const auto outcome = Send(Message(1, 72));
  EXPECT_FALSE(outcome.refusal.refused()) << outcome.refusal.message;
  EXPECT_EQ(outcome.observations, 1u);
  const auto rows = hub_.store().ListObservations("p-1");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).sealed.find("72"), std::string::npos);
  EXPECT_EQ(metrics_.messages_accepted.load(), 1u);
}

TEST_F(PipelineTest, RefusesReplaysButAcknowledgesTrueRetransmissions) {
  ASSERT_FALSE(Send(Message(5, 72)).refusal.refused());
  // Sent again byte for byte, DUP flag or not (a lost acknowledgement): acknowledged, not stored.
  EXPECT_TRUE(Send(Message(5, 72)).duplicate);
  EXPECT_EQ(Send(Message(4, 60)).refusal.reason, Refusal::kReplay);
  EXPECT_EQ(Send(Message(5, 99), Delivery::kRetransmission).refusal.reason, Refusal::kReplay);
  EXPECT_EQ(Send(Message(5, 99)).refusal.reason, Refusal::kReplay);
  const auto dup = Send(Message(5, 72), Delivery::kRetransmission);
  EXPECT_FALSE(dup.refusal.refused());
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(hub_.store().ListObservations("p-1")->size(), 1u);
  EXPECT_EQ(metrics_.messages_refused[static_cast<size_t>(Refusal::kReplay)].load(), 3u);
}

TEST_F(PipelineTest, SequenceSurvivesARestartOfThePipeline) {
  ASSERT_FALSE(Send(Message(10, 72)).refusal.refused());
  IngestMetrics metrics;
  ReadingPipeline fresh(hub_.store(), hub_.store(), hub_.keys(), committer_, clock_, IngestLimits{},
                        metrics);
  std::promise<IngestOutcome> promise;
  fresh.Submit({"d-1", "p-1"}, Message(9, 70), Delivery::kFirst,
               [&](const IngestOutcome& o) { promise.set_value(o); });
  EXPECT_EQ(promise.get_future().get().refusal.reason, Refusal::kReplay);
}

TEST_F(PipelineTest, RefusesOutsideTheClockSkewAndStoresNothing) {
  clock_.Advance(3600 * 1000);
  EXPECT_EQ(Send(Message(1, 72)).refusal.reason, Refusal::kClockSkew);
  EXPECT_TRUE(hub_.store().ListObservations("p-1")->empty());
}

TEST_F(PipelineTest, AValueChangingFasterThanPhysiologyIsStoredButFlagged) {
  // Message() stamps every reading at the same second: no time for a heart to change much.
  EXPECT_FALSE(Send(Message(1, 70)).implausible_change);
  EXPECT_FALSE(Send(Message(2, 95)).implausible_change);  // within the 30/min step
  const auto jump = Send(Message(3, 180));
  EXPECT_TRUE(jump.implausible_change);
  EXPECT_FALSE(jump.refusal.refused());
  EXPECT_EQ(jump.observations, 1u);
  EXPECT_FALSE(Send(Message(4, 175)).implausible_change);  // compared with the latest value
}

// A reading stamped before the device's latest used to skip the change check: a falsifier could
// jump any distance by backdating. It is judged against the latest value and flagged.
TEST_F(PipelineTest, ABackdatedReadingIsJudgedAndFlagged) {
  EXPECT_FALSE(Send(Message(1, 70, "2026-11-22T10:00:00Z")).timestamp_backwards);
  const auto small = Send(Message(2, 72, "2026-11-22T09:59:59Z"));
  EXPECT_TRUE(small.timestamp_backwards);
  EXPECT_FALSE(small.implausible_change);
  EXPECT_EQ(small.observations, 1u);  // stored: a clock may step back once
  const auto jump = Send(Message(3, 180, "2026-11-22T09:59:58Z"));
  EXPECT_TRUE(jump.timestamp_backwards);
  EXPECT_TRUE(jump.implausible_change);  // 70 -> 180 in two seconds, whichever way round
  // The latest stays the latest: a later reading near it is not flagged.
  const auto later = Send(Message(4, 71, "2026-11-22T10:00:01Z"));
  EXPECT_FALSE(later.timestamp_backwards);
  EXPECT_FALSE(later.implausible_change);
}

// Steps each under the change bound, toward a dangerous heart rate: the device's own normal
// catches them; those readings are stored marked suspect and say so in FHIR.
TEST_F(PipelineTest, ADriftFromTheDevicesNormalIsStoredMarkedSuspect) {
  int seq = 0;
  const auto send_at_next_second = [&](int hr) {
    clock_.Advance(1000);
    return Send(Message(++seq, hr, FormatRfc3339Millis(clock_.NowMillis())));
  };
  for (int i = 0; i < 120; ++i) ASSERT_FALSE(send_at_next_second(72 + i % 3).value_drift);
  int first_drifted = 0;
  for (int i = 1; i <= 30 && first_drifted == 0; ++i) {
    const auto outcome = send_at_next_second(72 + 4 * i);
    EXPECT_FALSE(outcome.implausible_change);
    if (outcome.value_drift) first_drifted = seq;
  }
  ASSERT_GT(first_drifted, 0);
  const auto suspects = hub_.store().SuspectReadings("p-1");
  ASSERT_TRUE(suspects.ok());
  ASSERT_EQ(suspects->size(), 1u);
  EXPECT_EQ(suspects->at(0).seq, static_cast<uint64_t>(first_drifted));
  EXPECT_EQ(suspects->at(0).reason, "value_drift");
  EXPECT_EQ(store::FindSuspect(*suspects, "d-1", first_drifted), "value_drift");
  EXPECT_EQ(store::FindSuspect(*suspects, "d-1", first_drifted - 1), "");
  EXPECT_EQ(store::FindSuspect(*suspects, "d-2", first_drifted), "");
  // Marked later (a clone's readings): a mark that exists keeps its reason.
  const uint64_t seqs[] = {1, 2, static_cast<uint64_t>(first_drifted)};
  ASSERT_TRUE(hub_.store().MarkSuspect("p-1", "d-1", seqs, "clone").ok());
  const auto marked = hub_.store().SuspectReadings("p-1");
  ASSERT_EQ(marked->size(), 3u);
  EXPECT_EQ(store::FindSuspect(*marked, "d-1", 1), "clone");
  EXPECT_EQ(store::FindSuspect(*marked, "d-1", first_drifted), "value_drift");
  EXPECT_TRUE(hub_.store().SuspectReadings("p-2")->empty());
}

// A restarted hub keeps judging a device against the normal it learnt before.
TEST_F(PipelineTest, TheDevicesNormalSurvivesARestartOfThePipeline) {
  int seq = 0;
  const auto send = [&](ReadingPipeline& p, int hr) {
    clock_.Advance(1000);
    std::promise<IngestOutcome> promise;
    p.Submit({"d-1", "p-1"}, Message(++seq, hr, FormatRfc3339Millis(clock_.NowMillis())),
             Delivery::kFirst, [&](const IngestOutcome& o) { promise.set_value(o); });
    return promise.get_future().get();
  };
  for (int i = 0; i < 120; ++i) send(pipeline_, 72 + i % 3);
  const std::string saved = pipeline_.SaveTrends();
  // Health data: sealed under the patient's key, no value in the clear (not one decimal).
  EXPECT_EQ(saved.find('.'), std::string::npos) << saved;
  EXPECT_NE(saved.find("\"sealed\""), std::string::npos);
  IngestMetrics metrics;
  ReadingPipeline restarted(hub_.store(), hub_.store(), hub_.keys(), committer_, clock_,
                            IngestLimits{}, metrics);
  EXPECT_TRUE(restarted.RestoreTrends(saved).ok());
  // What cannot be read is said (and the rest kept): not JSON, or a device's entry damaged.
  EXPECT_EQ(restarted.RestoreTrends("[1, 2]").code(), StatusCode::kDataLoss);
  EXPECT_EQ(restarted.RestoreTrends(R"({"d-9": {"patient": "p-1", "sealed": "AAAA"}})").code(),
            StatusCode::kDataLoss);
  bool drifted = false;
  for (int i = 1; i <= 30 && !drifted; ++i) drifted = send(restarted, 72 + 4 * i).value_drift;
  EXPECT_TRUE(drifted);  // a fresh model would still be warming up (30 readings)
  EXPECT_EQ(restarted.SaveTrends().find("\"d-1\""), saved.find("\"d-1\""));
}

// A retransmission (DUP) is the same packet again; one that differs from the stored message is
// forged, and detection hears it as such (one is enough for an alert).
TEST_F(PipelineTest, ARetransmissionThatDiffersFromTheStoredMessageIsNamedForDetection) {
  struct Recording final : events::SecurityEventSink {
    void Submit(events::SecurityEvent e) override {
      std::lock_guard lock(mu);
      seen.push_back(std::move(e));
    }
    std::mutex mu;
    std::vector<events::SecurityEvent> seen;
  } events;
  IngestMetrics metrics;
  ReadingPipeline watched(hub_.store(), hub_.store(), hub_.keys(), committer_, clock_,
                          IngestLimits{}, metrics, nullptr, &events);
  const auto send = [&](const std::string& payload, Delivery delivery) {
    std::promise<IngestOutcome> promise;
    watched.Submit({"d-1", "p-1", "10.0.0.1"}, payload, delivery,
                   [&](const IngestOutcome& o) { promise.set_value(o); });
    return promise.get_future().get();
  };
  ASSERT_FALSE(send(Message(5, 72), Delivery::kFirst).refusal.refused());
  EXPECT_TRUE(send(Message(5, 72), Delivery::kRetransmission).duplicate);
  EXPECT_EQ(send(Message(5, 99), Delivery::kRetransmission).refusal.reason, Refusal::kReplay);
  EXPECT_EQ(send(Message(5, 98), Delivery::kFirst).refusal.reason, Refusal::kReplay);
  std::vector<std::string> refusals;
  for (const auto& e : events.seen) {
    if (e.kind == events::EventKind::kReadingRefused) {
      refusals.push_back(e.reason + "#" + std::to_string(e.seq));
    }
  }
  EXPECT_EQ(refusals, (std::vector<std::string>{"replay_dup_mismatch#5", "replay#5"}));
}

TEST(PlausibleChangeTest, BoundsGrowWithTimeAndStopAtTenMinutes) {
  using model::ImplausibleChange;
  using model::VitalKind;
  EXPECT_TRUE(ImplausibleChange(VitalKind::kHeartRate, 70, 0, 180, 1000));
  EXPECT_FALSE(ImplausibleChange(VitalKind::kHeartRate, 70, 0, 140, 60'000));  // 30 + 60
  EXPECT_FALSE(ImplausibleChange(VitalKind::kHeartRate, 70, 0, 180, 11 * 60'000));
  EXPECT_TRUE(ImplausibleChange(VitalKind::kBodyTemperature, 36.8, 0, 39.0, 60'000));
  EXPECT_FALSE(ImplausibleChange(VitalKind::kSystolicBp, 110, 0, 190, 1000));  // no bound
}

// Each message's fate reaches the security events once, decided by the pipeline: accepted
// (stored or acknowledged again), refused with its reason, and flagged beside an accepted one.
class RecordingEvents final : public events::SecurityEventSink {
 public:
  void Submit(events::SecurityEvent e) override {
    std::lock_guard lock(mu_);
    seen_.push_back(std::move(e));
  }
  std::vector<std::string> Seen() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : seen_) {
      out.push_back(std::to_string(static_cast<int>(e.kind)) + ":" + e.reason + "@" + e.address);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<events::SecurityEvent> seen_;
};

TEST(PipelineEventsTest, EachMessageIsReportedOnceWithItsOutcome) {
  vigil::testing::TestHub hub;
  hub.Enroll("p-1", "d-1");
  ManualClock clock{kNow};
  IngestMetrics metrics;
  RecordingEvents events;
  ReadingCommitter committer{hub.store(), nullptr, clock, 16};
  ReadingPipeline pipeline{hub.store(),    hub.store(), hub.keys(), committer, clock,
                           IngestLimits{}, metrics,     nullptr,    &events};
  auto send = [&](const std::string& payload, Delivery delivery) {
    std::promise<IngestOutcome> done;
    pipeline.Submit({"d-1", "p-1", "10.1.2.3"}, payload, delivery,
                    [&](const IngestOutcome& o) { done.set_value(o); });
    return done.get_future().get();
  };
  const auto message = [](int seq, int hr) {
    return R"({"seq":)" + std::to_string(seq) + R"(,"ts":"2026-11-22T10:00:00Z","readings":[)" +
           R"({"type":"heart_rate","value":)" + std::to_string(hr) + R"(,"unit":"/min"}]})";
  };
  ASSERT_FALSE(send(message(1, 72), Delivery::kFirst).refusal.refused());
  ASSERT_TRUE(send(message(1, 99), Delivery::kFirst).refusal.refused());   // replay
  ASSERT_TRUE(send(message(1, 72), Delivery::kRetransmission).duplicate);  // resent
  ASSERT_TRUE(send("{not json", Delivery::kFirst).refusal.refused());      // malformed
  const std::string accepted =
      std::to_string(static_cast<int>(events::EventKind::kReadingAccepted));
  const std::string refused = std::to_string(static_cast<int>(events::EventKind::kReadingRefused));
  EXPECT_EQ(events.Seen(),
            (std::vector<std::string>{accepted + ":@10.1.2.3", refused + ":replay@10.1.2.3",
                                      accepted + ":retransmission@10.1.2.3",
                                      refused + ":malformed_payload@10.1.2.3"}));
  committer.Stop();
}

}  // namespace
}  // namespace vigil::ingest
