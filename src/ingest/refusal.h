// Why the hub refused something a device sent, in one place: the metric label, the MQTT 5
// reason code and the HTTP status each refusal maps to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::ingest {

enum class Refusal : uint8_t {
  kNone = 0,
  kMalformedPayload,    // not JSON/SenML of the documented shape
  kUnknownMeasurement,  // a measurement name Vigil does not know
  kUnitNotAccepted,     // a unit not accepted for that measurement
  kImplausibleValue,    // outside the physiological range
  kClockSkew,           // timestamp too far from the hub's clock
  kReplay,              // sequence number not above the last accepted one
  kTooLarge,            // payload or measurement count over the limits
  kTopicNotAllowed,     // publish to a topic other than devices/<own id>/vitals
  kQosNotSupported,     // QoS 2
  kStoreFailure,        // the reading could not be made durable
  kUnknownDevice,       // the device is not enrolled to a patient (or was removed)
  kStorageLow,          // the hub is below its free-space watermark; try again later
  kCount,
};

// Stable snake_case name, used as the `reason` label in /metrics and in logs.
std::string_view RefusalName(Refusal refusal);

// MQTT 5 reason code for a refused PUBLISH (0x99 payload format invalid, 0x87 not authorized...).
uint8_t RefusalMqttReasonCode(Refusal refusal);

// HTTP status for POST /ingest.
int RefusalHttpStatus(Refusal refusal);

// A refusal with a message a device maker can act on; never carries a measured value.
struct RefusalDetail {
  Refusal reason = Refusal::kNone;
  std::string message;
  bool refused() const { return reason != Refusal::kNone; }
};

}  // namespace vigil::ingest
