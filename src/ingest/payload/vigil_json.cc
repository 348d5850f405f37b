// Decoder of Vigil's own JSON payload (see device_payload.h for the shape).
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "ingest/payload/device_payload.h"

namespace vigil::ingest {
namespace {

using nlohmann::json;

Status Malformed(const std::string& what) { return Status::InvalidArgument("payload: " + what); }

Result<uint64_t> ReadSeq(const json& doc) {
  const auto it = doc.find("seq");
  if (it == doc.end()) return Malformed("\"seq\" is missing");
  if (!it->is_number_unsigned() || it->get<uint64_t>() == 0) {
    return Malformed("\"seq\" must be a positive integer");
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

}  // namespace

Result<RawMessage> DecodeVigilJson(std::string_view payload) {
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

Result<RawMessage> DecodeDevicePayload(std::string_view payload, int64_t now_ms) {
  for (char c : payload) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '[') return DecodeSenml(payload, now_ms);
    if (c == '{') return DecodeVigilJson(payload);
    break;
  }
  return Malformed("expected a Vigil JSON object or a SenML array");
}

}  // namespace vigil::ingest
