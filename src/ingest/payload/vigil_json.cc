// Decoder of Vigil's own JSON payload (see device_payload.h for the shape). nlohmann's parser
// reads the bytes (RFC 8259: syntax, escapes, UTF-8, number overflow) and reports each value to
// a handler that keeps only the fields the format names; no document is built. The fields are
// then checked in the format's order, so the first rule broken is the one named.
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "ingest/payload/device_payload.h"
#include "model/reading.h"

namespace vigil::ingest {
namespace {

using nlohmann::json;

Status Malformed(const std::string& what) { return Status::InvalidArgument("payload: " + what); }

// One member's value as far as the format cares: what kind it was, and its value if it is one
// the format reads. A repeated key keeps its last value (as a JSON document would).
struct Field {
  enum class Kind { kMissing, kString, kUnsigned, kNumber, kOther };
  Kind kind = Kind::kMissing;
  std::string text;
  uint64_t unsigned_value = 0;  // kUnsigned
  double number = 0;            // kUnsigned and kNumber
};

struct ReadingFields {
  bool is_object = false;
  Field type, value, unit, ts;
};

// The nlohmann SAX handler: message object (depth 1), "readings" array (2), reading objects (3).
// Values of members the format does not name, at any depth, are skipped whole.
class FieldCollector {
 public:
  enum class Readings { kMissing, kArray, kNotArray };
  Field seq, ts;
  Readings readings_kind = Readings::kMissing;
  std::vector<ReadingFields> readings;
  bool top_is_object = false;

  bool null() {
    return Scalar([](Field& f) { f.kind = Field::Kind::kOther; });
  }
  bool boolean(bool) { return null(); }
  bool number_integer(json::number_integer_t v) {
    return Scalar([v](Field& f) {
      f.kind = Field::Kind::kNumber;
      f.number = static_cast<double>(v);
    });
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return Scalar([v](Field& f) {
      f.kind = Field::Kind::kUnsigned;
      f.unsigned_value = v;
      f.number = static_cast<double>(v);
    });
  }
  bool number_float(json::number_float_t v, const json::string_t&) {
    return Scalar([v](Field& f) {
      f.kind = Field::Kind::kNumber;
      f.number = v;
    });
  }
  bool string(json::string_t& v) {
    return Scalar([&v](Field& f) {
      f.kind = Field::Kind::kString;
      f.text.swap(v);
    });
  }
  bool binary(json::binary_t&) { return null(); }

  bool start_object(std::size_t) {
    if (skip_ > 0 || !Opens(/*array=*/false)) ++skip_;
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) {
    if (skip_ > 0 || !Opens(/*array=*/true)) ++skip_;
    return true;
  }
  bool end_array() { return Close(); }
  bool key(json::string_t& k) {
    if (skip_ == 0) key_.swap(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  // The Field the next value at the current depth goes to; null: a value nobody reads.
  Field* Target() {
    if (depth_ == 1) {
      if (key_ == "seq") return &seq;
      if (key_ == "ts") return &ts;
    } else if (depth_ == 3) {
      ReadingFields& r = readings.back();
      if (key_ == "type") return &r.type;
      if (key_ == "value") return &r.value;
      if (key_ == "unit") return &r.unit;
      if (key_ == "ts") return &r.ts;
    }
    return nullptr;
  }

  // A scalar value: stored if the format reads it, noted where its kind alone matters.
  template <typename Store>
  bool Scalar(Store&& store) {
    if (skip_ > 0) return true;
    if (depth_ == 1 && key_ == "readings") readings_kind = Readings::kNotArray;
    if (depth_ == 2) readings.push_back({});  // a reading that is not an object
    if (Field* f = Target()) {
      *f = Field{};
      store(*f);
    }
    return true;
  }

  // An object or array starting at the current depth: whether it is one the handler enters.
  bool Opens(bool array) {
    if (depth_ == 0) {
      top_is_object = !array;
      return Enter(!array);
    }
    if (depth_ == 1) {
      if (key_ == "readings") {
        readings_kind = array ? Readings::kArray : Readings::kNotArray;
        readings.clear();
        return Enter(array);
      }
      if (Field* f = Target()) f->kind = Field::Kind::kOther;
      return false;
    }
    if (depth_ == 2) {
      readings.push_back({});
      readings.back().is_object = !array;
      return Enter(!array);
    }
    if (Field* f = Target()) f->kind = Field::Kind::kOther;
    return false;
  }

  bool Enter(bool enter) {
    if (enter) ++depth_;
    return enter;
  }

  bool Close() {
    if (skip_ > 0) {
      --skip_;
    } else {
      --depth_;
    }
    key_.clear();
    return true;
  }

  int depth_ = 0;
  size_t skip_ = 0;  // nesting inside a value being skipped
  std::string key_;  // the current member's key at depth 1 or 3
};

Result<int64_t> ReadTime(const Field& ts, const char* where, std::optional<int64_t> fallback) {
  if (ts.kind == Field::Kind::kMissing) {
    if (fallback) return *fallback;
    return Malformed(std::string("\"ts\" is missing in ") + where);
  }
  if (ts.kind != Field::Kind::kString) {
    return Malformed(std::string("\"ts\" in ") + where + " must be a string");
  }
  auto parsed = ParseRfc3339Millis(ts.text);
  if (!parsed.ok()) return Malformed(std::string("\"ts\" in ") + where + " is not RFC 3339");
  return parsed.value();
}

Result<RawMeasurement> ReadMeasurement(ReadingFields& item, std::optional<int64_t> message_time) {
  if (!item.is_object) return Malformed("each of \"readings\" must be an object");
  RawMeasurement m;
  if (item.type.kind != Field::Kind::kString) return Malformed("a reading has no string \"type\"");
  m.name = std::move(item.type.text);
  if (item.value.kind != Field::Kind::kUnsigned && item.value.kind != Field::Kind::kNumber) {
    return Malformed("a reading has no numeric \"value\"");
  }
  m.value = item.value.number;
  if (!std::isfinite(m.value)) return Malformed("a reading's \"value\" is not finite");
  if (item.unit.kind != Field::Kind::kString) return Malformed("a reading has no string \"unit\"");
  m.unit = std::move(item.unit.text);
  VIGIL_ASSIGN_OR_RETURN(m.time_ms, ReadTime(item.ts, "a reading", message_time));
  return m;
}

}  // namespace

Result<RawMessage> DecodeVigilJson(std::string_view payload) {
  FieldCollector fields;
  if (!json::sax_parse(payload, &fields, json::input_format_t::json, /*strict=*/true)) {
    return Malformed("not valid JSON");
  }
  if (!fields.top_is_object) return Malformed("Vigil JSON must be an object");
  RawMessage msg;
  if (fields.seq.kind == Field::Kind::kMissing) return Malformed("\"seq\" is missing");
  if (fields.seq.kind != Field::Kind::kUnsigned ||
      !model::IsValidSequence(fields.seq.unsigned_value)) {
    return Malformed(kSequenceRange);
  }
  msg.seq = fields.seq.unsigned_value;
  std::optional<int64_t> message_time;
  if (fields.ts.kind != Field::Kind::kMissing) {
    VIGIL_ASSIGN_OR_RETURN(message_time, ReadTime(fields.ts, "the message", std::nullopt));
  }
  if (fields.readings_kind != FieldCollector::Readings::kArray || fields.readings.empty()) {
    return Malformed("\"readings\" must be a non-empty array");
  }
  msg.measurements.reserve(fields.readings.size());
  for (auto& item : fields.readings) {
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
