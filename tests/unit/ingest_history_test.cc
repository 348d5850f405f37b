// The dashboard's hour of ingest: each sample holds what changed since the one before, refusals
// by the reason /metrics names, and samples leave after the window.
#include "ingest/ingest_history.h"

#include <gtest/gtest.h>

namespace vigil::ingest {
namespace {

TEST(IngestHistoryTest, SamplesHoldWhatChangedSinceTheLastOneAndLeaveAfterTheWindow) {
  IngestMetrics metrics;
  IngestHistory history(60'000);
  metrics.messages_accepted = 100;  // before the hub's first sample: the baseline
  history.Sample(1'000, metrics);
  EXPECT_TRUE(history.Samples().empty());
  metrics.messages_accepted += 30;
  metrics.Refused(Refusal::kReplay);
  metrics.Refused(Refusal::kReplay);
  metrics.Refused(ConnectionRefusal::kUnknownDevice);
  history.Sample(11'000, metrics);
  history.Sample(21'000, metrics);
  auto samples = history.Samples();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].span_ms, 10'000);
  EXPECT_EQ(samples[0].accepted, 30u);
  EXPECT_EQ(samples[0].refused, 3u);
  EXPECT_EQ(samples[0].refused_by_reason.at(std::string(RefusalName(Refusal::kReplay))), 2u);
  EXPECT_EQ(
      samples[0].refused_by_reason.at(
          "connection: " + std::string(ConnectionRefusalName(ConnectionRefusal::kUnknownDevice))),
      1u);
  EXPECT_EQ(samples[1].accepted, 0u);
  EXPECT_TRUE(samples[1].refused_by_reason.empty());
  history.Sample(85'000, metrics);  // 11 s and 21 s are now over a minute old
  samples = history.Samples();
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].time_ms, 85'000);
}

}  // namespace
}  // namespace vigil::ingest
