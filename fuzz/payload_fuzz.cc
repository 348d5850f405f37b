// libFuzzer target: the device payload decoders (Vigil JSON, SenML), validation and FHIR
// normalization must never crash on any bytes, and what they accept must normalize to JSON
// that parses.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>
#include <variant>

#include "ingest/payload/device_payload.h"
#include "ingest/validate.h"
#include "model/observation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr int64_t kNow = 1795341600000;  // 2026-11-22T10:00:00Z
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto raw = vigil::ingest::DecodeDevicePayload(payload, kNow);
  if (!raw.ok()) return 0;
  vigil::IngestLimits limits;
  limits.max_clock_skew_seconds = 86400L * 365 * 100;  // let fuzzed times through to normalization
  auto validated = vigil::ingest::ValidateMessage(*raw, limits, kNow);
  const auto* reading = std::get_if<vigil::model::Reading>(&validated);
  if (!reading) return 0;
  for (const auto& obs : vigil::model::NormalizeReading(*reading, "p-1", "d-1", kNow)) {
    if (nlohmann::json::parse(vigil::model::ToFhirJson(obs), nullptr, false).is_discarded()) {
      abort();
    }
  }
  return 0;
}
