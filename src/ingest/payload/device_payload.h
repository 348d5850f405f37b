// Decoders for what devices send, before validation. Two formats:
//  - Vigil JSON: {"seq":1,"ts":"<RFC 3339>","readings":[{"type":"heart_rate","value":72,
//    "unit":"/min"}]} (a reading may carry its own "ts");
//  - SenML (RFC 8428, JSON): a pack of records; the sequence number is the record named "seq".
// docs/payloads.md documents both. Decoders are pure: bytes in, a RawMessage or an error out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::ingest {

struct RawMeasurement {
  std::string name;  // as sent, e.g. "heart_rate"
  double value = 0;
  std::string unit;  // UCUM code (SenML units are translated)
  int64_t time_ms = 0;
};

struct RawMessage {
  uint64_t seq = 0;
  std::vector<RawMeasurement> measurements;
};

// What a decoder says of a sequence number outside model::IsValidSequence.
inline constexpr const char* kSequenceRange =
    "\"seq\" must be an integer from 1 to 9223372036854775807 (2^63 - 1)";

// Decodes Vigil JSON (an object) or SenML (an array), chosen by the first non-blank byte.
// `now_ms` resolves SenML relative times. InvalidArgument with a message naming the field at
// fault; the message never repeats a value.
Result<RawMessage> DecodeDevicePayload(std::string_view payload, int64_t now_ms);

Result<RawMessage> DecodeVigilJson(std::string_view payload);
Result<RawMessage> DecodeSenml(std::string_view payload, int64_t now_ms);

}  // namespace vigil::ingest
