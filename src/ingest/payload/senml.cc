// Decoder of SenML packs (RFC 8428, JSON representation).
//
// Mapping (docs/payloads.md): a record's name is bn + n; the measurement is named by the part
// after the last ':' or '/' ("urn:dev:mac:0024befffe804ff1:heart_rate" -> heart_rate). The
// record named "seq" carries the message's sequence number. Times are bt + t in seconds; a
// total under 2^28 is relative to now, as RFC 8428 section 4.5.3 says. SenML units are
// translated to UCUM (beat/min -> /min, mmHg -> mm[Hg], "/" ratio -> %).
#include <cmath>
#include <nlohmann/json.hpp>

#include "ingest/payload/device_payload.h"
#include "model/reading.h"

namespace vigil::ingest {
namespace {

using nlohmann::json;

Status Malformed(const std::string& what) { return Status::InvalidArgument("SenML: " + what); }

struct Base {
  std::string name;
  double time = 0;
  std::string unit;
};

std::string LocalName(const std::string& full) {
  const auto cut = full.find_last_of(":/");
  return cut == std::string::npos ? full : full.substr(cut + 1);
}

// Translates a SenML unit symbol to the UCUM code Vigil's table accepts; `value` is scaled in
// place when the units differ by a factor.
std::string ToUcum(const std::string& unit, double& value) {
  if (unit == "beat/min" || unit == "beats/min" || unit == "1/min") return "/min";
  if (unit == "mmHg") return "mm[Hg]";
  if (unit == "mmol/l") return "mmol/L";
  if (unit == "/") {  // a ratio, 0..1
    value *= 100.0;
    return "%";
  }
  return unit;
}

Status ReadBaseFields(const json& rec, Base& base) {
  if (const auto it = rec.find("bn"); it != rec.end()) {
    if (!it->is_string()) return Malformed("\"bn\" must be a string");
    base.name = it->get<std::string>();
  }
  if (const auto it = rec.find("bt"); it != rec.end()) {
    if (!it->is_number()) return Malformed("\"bt\" must be a number");
    base.time = it->get<double>();
  }
  if (const auto it = rec.find("bu"); it != rec.end()) {
    if (!it->is_string()) return Malformed("\"bu\" must be a string");
    base.unit = it->get<std::string>();
  }
  return Status::Ok();
}

Result<int64_t> RecordTimeMs(const json& rec, const Base& base, int64_t now_ms) {
  double t = base.time;
  if (const auto it = rec.find("t"); it != rec.end()) {
    if (!it->is_number()) return Malformed("\"t\" must be a number");
    t += it->get<double>();
  }
  if (!std::isfinite(t) || std::fabs(t) > 1e11) return Malformed("time out of range");
  const auto ms = static_cast<int64_t>(std::llround(t * 1000.0));
  return t < 268435456.0 ? now_ms + ms : ms;  // 2^28: relative time
}

}  // namespace

Result<RawMessage> DecodeSenml(std::string_view payload, int64_t now_ms) {
  const json doc = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Malformed("not valid JSON");
  if (!doc.is_array() || doc.empty()) return Malformed("a pack must be a non-empty array");
  RawMessage msg;
  bool have_seq = false;
  Base base;
  for (const auto& rec : doc) {
    if (!rec.is_object()) return Malformed("each record must be an object");
    VIGIL_RETURN_IF_ERROR(ReadBaseFields(rec, base));
    std::string name = base.name;
    if (const auto it = rec.find("n"); it != rec.end()) {
      if (!it->is_string()) return Malformed("\"n\" must be a string");
      name += it->get<std::string>();
    }
    const auto v = rec.find("v");
    if (v == rec.end()) {
      if (rec.contains("vs") || rec.contains("vb") || rec.contains("vd") || rec.contains("s")) {
        return Malformed("only numeric values (\"v\") are accepted");
      }
      continue;  // a record that only sets base fields
    }
    if (!v->is_number()) return Malformed("\"v\" must be a number");
    const std::string local = LocalName(name);
    if (local == "seq") {
      if (!v->is_number_unsigned() || !model::IsValidSequence(v->get<uint64_t>())) {
        return Malformed(kSequenceRange);
      }
      msg.seq = v->get<uint64_t>();
      have_seq = true;
      continue;
    }
    RawMeasurement m;
    m.name = local;
    m.value = v->get<double>();
    if (!std::isfinite(m.value)) return Malformed("a value is not finite");
    std::string unit = base.unit;
    if (const auto u = rec.find("u"); u != rec.end()) {
      if (!u->is_string()) return Malformed("\"u\" must be a string");
      unit = u->get<std::string>();
    }
    m.unit = ToUcum(unit, m.value);
    VIGIL_ASSIGN_OR_RETURN(m.time_ms, RecordTimeMs(rec, base, now_ms));
    msg.measurements.push_back(std::move(m));
  }
  if (!have_seq) return Malformed("the pack needs a record named \"seq\" (sequence number)");
  if (msg.measurements.empty()) return Malformed("the pack has no measurement");
  return msg;
}

}  // namespace vigil::ingest
