// Micro-benchmarks of the per-reading work on the ingest hot path: decode, validate, normalize
// to Observations and seal with AES-256-GCM; and rendering FHIR JSON for reads. Run:
// build/bench/ingest_bench (figures: docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <array>
#include <variant>

#include "crypto/bytes.h"
#include "ingest/payload/device_payload.h"
#include "ingest/validate.h"
#include "ledger/entry.h"
#include "model/observation.h"
#include "model/vital_trend.h"
#include "store/sealed_record.h"

namespace {

constexpr int64_t kNow = 1795341600000;  // 2026-11-22T10:00:00Z

const char kVigilJson[] =
    R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"heart_rate","value":72,"unit":"/min"}]})";
const char kVigilJsonPanel[] =
    R"({"seq":1,"ts":"2026-11-22T10:00:00Z","readings":[{"type":"systolic_bp","value":120,)"
    R"("unit":"mm[Hg]"},{"type":"diastolic_bp","value":80,"unit":"mm[Hg]"},)"
    R"({"type":"heart_rate","value":66,"unit":"/min"},{"type":"spo2","value":97,"unit":"%"}]})";
const char kSenml[] = R"([{"bn":"urn:dev:mac:0024befffe804ff1:","bt":1795341600,"n":"seq","v":1},)"
                      R"({"n":"heart_rate","u":"beat/min","v":64}])";

vigil::model::Reading Validate(std::string_view payload) {
  auto raw = vigil::ingest::DecodeDevicePayload(payload, kNow);
  auto v = vigil::ingest::ValidateMessage(*raw, vigil::IngestLimits{}, kNow);
  return std::get<vigil::model::Reading>(v);
}

// The whole per-message pipeline before the commit, as ReadingPipeline runs it.
void FullPath(benchmark::State& state, const char* payload) {
  const std::string key = *vigil::crypto::RandomBytes(32);
  size_t observations = 0;
  for (auto _ : state) {
    const auto digest = vigil::crypto::Sha256(payload);
    benchmark::DoNotOptimize(digest);
    const auto reading = Validate(payload);
    for (const auto& obs : vigil::model::NormalizeReading(reading, "p-001", "dev-0001", kNow)) {
      auto sealed = vigil::store::SealObservation(key, obs);
      benchmark::DoNotOptimize(sealed);
      ++observations;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["observations/msg"] =
      static_cast<double>(observations) / static_cast<double>(state.iterations());
}

void BM_FullPath_VigilJson_HeartRate(benchmark::State& s) { FullPath(s, kVigilJson); }
void BM_FullPath_VigilJson_BpPanelHrSpo2(benchmark::State& s) { FullPath(s, kVigilJsonPanel); }
void BM_FullPath_Senml_HeartRate(benchmark::State& s) { FullPath(s, kSenml); }

void BM_DecodeValidate(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Validate(kVigilJson));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_Normalize(benchmark::State& state) {
  const auto reading = Validate(kVigilJson);
  for (auto _ : state) {
    benchmark::DoNotOptimize(vigil::model::NormalizeReading(reading, "p-001", "dev-0001", kNow));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_Seal(benchmark::State& state) {
  const std::string key = *vigil::crypto::RandomBytes(32);
  const auto obs = vigil::model::NormalizeReading(Validate(kVigilJson), "p-001", "dev-0001", kNow);
  for (auto _ : state) benchmark::DoNotOptimize(vigil::store::SealObservation(key, obs[0]));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Rendering FHIR JSON happens on reads, not on ingest.
void BM_RenderFhirJson(benchmark::State& state) {
  const auto obs = vigil::model::NormalizeReading(Validate(kVigilJson), "p-001", "dev-0001", kNow);
  for (auto _ : state) benchmark::DoNotOptimize(vigil::model::ToFhirJson(obs[0]));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// The commit thread's digest of its batch (the ledger's reading_batch entry): a commit of 1,000
// readings from 256 devices, as the hub's commits hold at 256 devices; reported per reading.
void BM_BatchDigest(benchmark::State& state) {
  const std::string key = *vigil::crypto::RandomBytes(32);
  auto reading = Validate(kVigilJson);
  std::vector<vigil::store::ReadingCommit> commits;
  for (uint64_t i = 0; i < 1000; ++i) {
    reading.seq = 1000 + i;
    const std::string device = "bench-dev-" + std::to_string(10000 + (i * 37) % 256);
    const std::string patient = "bench-p-" + std::to_string(10000 + (i * 37) % 256);
    vigil::store::ReadingCommit commit{device, 1000 + i, std::string(32, 'd'), kNow, {}};
    auto observations = vigil::model::NormalizeReading(reading, patient, device, kNow);
    for (const auto& o : observations) {
      commit.observations.push_back(*vigil::store::SealObservation(key, o));
    }
    commits.push_back(std::move(commit));
  }
  for (auto _ : state) benchmark::DoNotOptimize(vigil::ledger::BatchDigest(commits, {}));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * commits.size()));
}

// The device's own normal per vital sign and the cross-vital check (model/vital_trend.h), as
// the pipeline runs them for every reading: a pulse oximeter's SpO2 and heart rate.
void BM_VitalTrendSpo2AndPulse(benchmark::State& state) {
  std::array<vigil::model::VitalTrend, 8> trends;
  std::array<vigil::model::TrendReading, 8> judged{};
  using vigil::model::VitalKind;
  vigil::model::Reading r{1, {{VitalKind::kSpo2, 97, kNow}, {VitalKind::kHeartRate, 72, kNow}}};
  int64_t t = kNow;
  for (auto _ : state) {
    t += 1000;
    for (auto& m : r.measurements) {
      m.effective_ms = t;
      const size_t k = static_cast<size_t>(m.kind);
      judged[k] = trends[k].Observe(m.kind, m.value + static_cast<double>(t % 3), t);
    }
    benchmark::DoNotOptimize(vigil::model::InconsistentVitals(r, judged));
  }
}

BENCHMARK(BM_VitalTrendSpo2AndPulse);
BENCHMARK(BM_FullPath_VigilJson_HeartRate);
BENCHMARK(BM_FullPath_VigilJson_BpPanelHrSpo2);
BENCHMARK(BM_FullPath_Senml_HeartRate);
BENCHMARK(BM_DecodeValidate);
BENCHMARK(BM_Normalize);
BENCHMARK(BM_Seal);
BENCHMARK(BM_RenderFhirJson);
BENCHMARK(BM_BatchDigest);

}  // namespace

BENCHMARK_MAIN();
