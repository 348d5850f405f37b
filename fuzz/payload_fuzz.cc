// libFuzzer target: the device payload decoders (Vigil JSON, SenML), validation and FHIR
// normalization must never crash on any bytes, and what they accept must normalize to JSON
// that parses. Differential: the Vigil JSON decoder (a SAX handler on nlohmann's parser) must
// agree exactly — same message or same error — with a reference that builds the whole JSON
// document and reads the fields from it (the decoder the hub used before, kept here).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>
#include <variant>

#include "core/time_format.h"
#include "ingest/payload/device_payload.h"
#include "ingest/validate.h"
#include "model/observation.h"
#include "model/reading.h"

namespace vigil::ingest {
namespace {

using nlohmann::json;

Status Malformed(const std::string& what) { return Status::InvalidArgument("payload: " + what); }

Result<uint64_t> ReadSeq(const json& doc) {
  const auto it = doc.find("seq");
  if (it == doc.end()) return Malformed("\"seq\" is missing");
  if (!it->is_number_unsigned() || it->get<uint64_t>() == 0 ||
      it->get<uint64_t>() > vigil::model::kMaxSequence) {
    return Malformed(kSequenceRange);
  }
  return it->get<uint64_t>();
}

Result<int64_t> ReadTime(const json& holder, const char* where, std::optional<int64_t> fallback) {
  const auto it = holder.find("ts");
  if (it == holder.end()) {
    if (fallback) return *fallback;
    return Malformed(std::string("\"ts\" is missing in ") + where);
  }
  if (!it->is_string()) return Malformed(std::string("\"ts\" in ") + where + " must be a string");
  auto parsed = ParseRfc3339Millis(it->get_ref<const std::string&>());
  if (!parsed.ok()) return Malformed(std::string("\"ts\" in ") + where + " is not RFC 3339");
  return parsed.value();
}

Result<RawMeasurement> ReadMeasurement(const json& item, std::optional<int64_t> message_time) {
  if (!item.is_object()) return Malformed("each of \"readings\" must be an object");
  RawMeasurement m;
  const auto type = item.find("type");
  if (type == item.end() || !type->is_string())
    return Malformed("a reading has no string \"type\"");
  m.name = type->get<std::string>();
  const auto value = item.find("value");
  if (value == item.end() || !value->is_number()) {
    return Malformed("a reading has no numeric \"value\"");
  }
  m.value = value->get<double>();
  if (!std::isfinite(m.value)) return Malformed("a reading's \"value\" is not finite");
  const auto unit = item.find("unit");
  if (unit == item.end() || !unit->is_string())
    return Malformed("a reading has no string \"unit\"");
  m.unit = unit->get<std::string>();
  VIGIL_ASSIGN_OR_RETURN(m.time_ms, ReadTime(item, "a reading", message_time));
  return m;
}

Result<RawMessage> DecodeVigilJsonDocument(std::string_view payload) {
  const json doc = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Malformed("not valid JSON");
  if (!doc.is_object()) return Malformed("Vigil JSON must be an object");
  RawMessage msg;
  VIGIL_ASSIGN_OR_RETURN(msg.seq, ReadSeq(doc));
  std::optional<int64_t> message_time;
  if (doc.contains("ts")) {
    VIGIL_ASSIGN_OR_RETURN(message_time, ReadTime(doc, "the message", std::nullopt));
  }
  const auto readings = doc.find("readings");
  if (readings == doc.end() || !readings->is_array() || readings->empty()) {
    return Malformed("\"readings\" must be a non-empty array");
  }
  for (const auto& item : *readings) {
    VIGIL_ASSIGN_OR_RETURN(RawMeasurement m, ReadMeasurement(item, message_time));
    msg.measurements.push_back(std::move(m));
  }
  return msg;
}

bool SameValue(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Aborts unless the two results are the same message or the same error.
void RequireSame(const Result<RawMessage>& got, const Result<RawMessage>& want) {
  if (got.ok() != want.ok()) abort();
  if (!got.ok()) {
    if (got.status().ToString() != want.status().ToString()) abort();
    return;
  }
  if (got->seq != want->seq || got->measurements.size() != want->measurements.size()) abort();
  for (size_t i = 0; i < got->measurements.size(); ++i) {
    const RawMeasurement& g = got->measurements[i];
    const RawMeasurement& w = want->measurements[i];
    if (g.name != w.name || !SameValue(g.value, w.value) || g.unit != w.unit ||
        g.time_ms != w.time_ms) {
      abort();
    }
  }
}

}  // namespace
}  // namespace vigil::ingest

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr int64_t kNow = 1795341600000;  // 2026-11-22T10:00:00Z
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  vigil::ingest::RequireSame(vigil::ingest::DecodeVigilJson(payload),
                             vigil::ingest::DecodeVigilJsonDocument(payload));
  auto raw = vigil::ingest::DecodeDevicePayload(payload, kNow);
  if (!raw.ok()) return 0;
  if (!vigil::model::IsValidSequence(raw->seq)) abort();  // never wrapped into a store's int64
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
