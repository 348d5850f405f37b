// The kinds of alert the detection rules raise, their severities and the entities they name:
// the vocabulary detection, response, the API and the configuration share. Each enum has one
// name table (core/name_table.h); its names are what the ledger, the API and config.toml use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil::events {

enum class AlertKind {
  kRefusedConnections,
  kDeviceClone,
  kBruteForce,
  kPasswordSpraying,
  kCredentialStuffing,
  kMessageFlood,
  kManyPatients,
  kBreakGlass,
  kAccessOutsideCareTeam,
  kReplayedReadings,
  kImplausibleValues,
  kClockSkew,
  kOversizeMessages,
  kTopicViolation,
  kReconnectStorm,
  kMfaFailures,
  kSessionNewAddress,
  kDeviceBehaviour,
  kUserBehaviour,
  kBulkReads,
  kStoreFailure,            // the hub could not store readings
  kDetectionShedding,       // the detection queue overflowed
  kVitalDrift,              // a device's values left its own normal (model/vital_trend.h)
  kInconsistentVitals,      // vital signs of one device that do not belong together
  kLoginCampaign,           // failed logins spread over many accounts and addresses, hub-wide
  kPasswordFromNewAddress,  // the right password from a new address, then a wrong TOTP code
  kNewAddressSignIns,       // many accounts signing in from addresses new to them, hub-wide
  kNewTlsClient,            // a device's certificate used by a TLS client it never used, elsewhere
};

std::string_view AlertKindName(AlertKind kind);  // as config.toml and the API spell it
std::optional<AlertKind> ParseAlertKind(std::string_view name);

enum class Severity { kLow, kMedium, kHigh, kCritical };

std::string_view SeverityName(Severity severity);  // "low" .. "critical"
std::optional<Severity> ParseSeverity(std::string_view name);

enum class AlertStatus { kOpen, kAcknowledged, kResolved };

std::string_view AlertStatusName(AlertStatus status);  // "open", "acknowledged", "resolved"
std::optional<AlertStatus> ParseAlertStatus(std::string_view name);

// What an alert is about: a device, a user, a network address, or the hub itself. Written as
// "<type>:<id>" ("device:dev-1", "address:10.0.0.5"); the hub is "hub" or "hub:<part>".
struct Entity {
  enum class Type { kDevice, kUser, kAddress, kHub };
  Type type = Type::kHub;
  std::string id;  // empty for the hub as a whole

  static Entity Device(std::string id) { return {Type::kDevice, std::move(id)}; }
  static Entity User(std::string id) { return {Type::kUser, std::move(id)}; }
  static Entity Address(std::string id) { return {Type::kAddress, std::move(id)}; }
  static Entity Hub(std::string part = {}) { return {Type::kHub, std::move(part)}; }

  // The id when the entity is of `type`, else empty.
  std::string IdIf(Type wanted) const { return type == wanted ? id : std::string(); }
  std::string ToString() const;
  // nullopt unless `text` is "<type>:<id>" of a known type with an id, or "hub".
  static std::optional<Entity> Parse(std::string_view text);
  bool operator==(const Entity&) const = default;
};

}  // namespace vigil::events
