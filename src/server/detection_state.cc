#include "server/detection_state.h"

#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/log_limiter.h"

namespace vigil::server {
namespace {

constexpr const char* kVitalTrends = "vital-trends";

LogLimiter& SaveErrors() {
  static LogLimiter log(SystemClock::Instance(), 1, 60'000);
  return log;
}

void Put(store::AlertStore& store, const std::string& name, const std::string& state) {
  const Status s = store.PutDetectionState(name, state, SystemClock::Instance().NowMillis());
  if (!s.ok()) {
    SaveErrors().Log(spdlog::level::err, "detection-state",
                     "detection state '" + name + "' not saved: " + s.ToString());
  }
}

}  // namespace

std::vector<std::unique_ptr<detect::Rule>> RestoredRules(const DetectOptions& options,
                                                         store::AlertStore& store) {
  auto rules = detect::DefaultRules(options);
  for (auto& rule : rules) {
    const std::string name = rule->StateName();
    if (name.empty()) continue;
    auto saved = store.DetectionState(name);
    if (!saved.ok()) {
      spdlog::error("detection state '{}' not read (learning anew): {}", name,
                    saved.status().ToString());
    } else if (*saved) {
      const Status restored = rule->RestoreState(**saved);
      if (!restored.ok()) {
        spdlog::warn("detection state '{}' partly unreadable (that part learns anew): {}", name,
                     restored.ToString());
      }
    }
  }
  return rules;
}

detect::DetectionEngine::SaveState StateSaver(store::AlertStore& store) {
  return [&store](const std::string& name, const std::string& state) { Put(store, name, state); };
}

void RestoreVitalTrends(ingest::ReadingPipeline& pipeline, store::AlertStore& store) {
  auto saved = store.DetectionState(kVitalTrends);
  if (!saved.ok()) {
    spdlog::error("devices' vital-sign normals not read (learning anew): {}",
                  saved.status().ToString());
  } else if (*saved) {
    const Status restored = pipeline.RestoreTrends(**saved);
    if (!restored.ok()) {
      spdlog::warn("devices' vital-sign normals partly unreadable (those learn anew): {}",
                   restored.ToString());
    }
  }
}

void SaveVitalTrends(ingest::ReadingPipeline& pipeline, store::AlertStore& store) {
  Put(store, kVitalTrends, pipeline.SaveTrends());
}

}  // namespace vigil::server
