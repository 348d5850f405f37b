#include "ingest/refusal.h"

namespace vigil::ingest {

std::string_view RefusalName(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone:
      return "none";
    case Refusal::kMalformedPayload:
      return "malformed_payload";
    case Refusal::kUnknownMeasurement:
      return "unknown_measurement";
    case Refusal::kUnitNotAccepted:
      return "unit_not_accepted";
    case Refusal::kImplausibleValue:
      return "implausible_value";
    case Refusal::kClockSkew:
      return "clock_skew";
    case Refusal::kReplay:
      return "replay";
    case Refusal::kTooLarge:
      return "too_large";
    case Refusal::kTopicNotAllowed:
      return "topic_not_allowed";
    case Refusal::kQosNotSupported:
      return "qos_not_supported";
    case Refusal::kStoreFailure:
      return "store_failure";
    case Refusal::kUnknownDevice:
      return "unknown_device";
    case Refusal::kStorageLow:
      return "storage_low";
    case Refusal::kCount:
      break;
  }
  return "unknown";
}

uint8_t RefusalMqttReasonCode(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone:
      return 0x00;          // Success
    case Refusal::kReplay:  // a security refusal, not a format problem
    case Refusal::kTopicNotAllowed:
    case Refusal::kUnknownDevice:
      return 0x87;  // Not authorized
    case Refusal::kTooLarge:
    case Refusal::kStorageLow:
      return 0x97;  // Quota exceeded
    case Refusal::kQosNotSupported:
      return 0x9B;  // QoS not supported
    case Refusal::kStoreFailure:
      return 0x80;  // Unspecified error
    default:
      return 0x99;  // Payload format invalid
  }
}

int RefusalHttpStatus(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone:
      return 200;
    case Refusal::kReplay:
      return 409;
    case Refusal::kTopicNotAllowed:
    case Refusal::kUnknownDevice:
      return 403;
    case Refusal::kTooLarge:
      return 413;
    case Refusal::kStoreFailure:
    case Refusal::kStorageLow:
      return 503;
    default:
      return 422;
  }
}

}  // namespace vigil::ingest
