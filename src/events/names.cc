#include "core/name_table.h"
#include "events/alert_kind.h"
#include "events/audit_record.h"
#include "events/response_action.h"

namespace vigil::events {
namespace {

using K = AlertKind;
constexpr NameTable<AlertKind, 28> kAlertKinds({{
    {K::kRefusedConnections, "refused-connections"},
    {K::kDeviceClone, "device-clone"},
    {K::kBruteForce, "brute-force"},
    {K::kPasswordSpraying, "password-spraying"},
    {K::kCredentialStuffing, "credential-stuffing"},
    {K::kMessageFlood, "message-flood"},
    {K::kManyPatients, "many-patients"},
    {K::kBreakGlass, "break-glass"},
    {K::kAccessOutsideCareTeam, "access-outside-care-team"},
    {K::kReplayedReadings, "replayed-readings"},
    {K::kImplausibleValues, "implausible-values"},
    {K::kClockSkew, "clock-skew"},
    {K::kOversizeMessages, "oversize-messages"},
    {K::kTopicViolation, "topic-violation"},
    {K::kReconnectStorm, "reconnect-storm"},
    {K::kMfaFailures, "mfa-failures"},
    {K::kSessionNewAddress, "session-new-address"},
    {K::kDeviceBehaviour, "device-behaviour"},
    {K::kUserBehaviour, "user-behaviour"},
    {K::kBulkReads, "bulk-reads"},
    {K::kStoreFailure, "store-failure"},
    {K::kDetectionShedding, "detection-shedding"},
    {K::kVitalDrift, "vital-drift"},
    {K::kInconsistentVitals, "inconsistent-vitals"},
    {K::kLoginCampaign, "login-campaign"},
    {K::kPasswordFromNewAddress, "password-from-new-address"},
    {K::kNewAddressSignIns, "new-address-sign-ins"},
    {K::kNewTlsClient, "new-tls-client"},
}});

constexpr NameTable<Severity, 4> kSeverities({{
    {Severity::kLow, "low"},
    {Severity::kMedium, "medium"},
    {Severity::kHigh, "high"},
    {Severity::kCritical, "critical"},
}});

constexpr NameTable<AlertStatus, 3> kAlertStatuses({{
    {AlertStatus::kOpen, "open"},
    {AlertStatus::kAcknowledged, "acknowledged"},
    {AlertStatus::kResolved, "resolved"},
}});

constexpr NameTable<Entity::Type, 4> kEntityTypes({{
    {Entity::Type::kDevice, "device"},
    {Entity::Type::kUser, "user"},
    {Entity::Type::kAddress, "address"},
    {Entity::Type::kHub, "hub"},
}});

constexpr NameTable<ResponseAction, 4> kResponseActions({{
    {ResponseAction::kQuarantineDevice, "quarantine-device"},
    {ResponseAction::kBlockAddress, "block-address"},
    {ResponseAction::kRevokeSessions, "revoke-sessions"},
    {ResponseAction::kNone, "none"},
}});

constexpr NameTable<AuditType, 31> kAuditTypes({{
    {AuditType::kReadingBatch, "reading_batch"},
    {AuditType::kDeviceEnrolled, "device_enrolled"},
    {AuditType::kDeviceRevoked, "device_revoked"},
    {AuditType::kPatientAdded, "patient_added"},
    {AuditType::kUserAdded, "user_added"},
    {AuditType::kLogin, "login"},
    {AuditType::kMfa, "mfa"},
    {AuditType::kLogout, "logout"},
    {AuditType::kSessionsRevoked, "sessions_revoked"},
    {AuditType::kAccess, "access"},
    {AuditType::kConsentChanged, "consent_changed"},
    {AuditType::kCareTeamChanged, "care_team_changed"},
    {AuditType::kPasswordChanged, "password_changed"},
    {AuditType::kDeviceConnected, "device_connected"},
    {AuditType::kConnectionRefused, "connection_refused"},
    {AuditType::kHubStarted, "hub_started"},
    {AuditType::kAlertRaised, "alert_raised"},
    {AuditType::kAlertStatusChanged, "alert_status_changed"},
    {AuditType::kResponseTaken, "response_taken"},
    {AuditType::kDeviceReleased, "device_released"},
    {AuditType::kIncidentClosed, "incident_closed"},
    {AuditType::kLoginUnlocked, "login_unlocked"},
    {AuditType::kBreachReported, "breach_reported"},
    {AuditType::kDataLoss, "data_loss"},
    {AuditType::kLedgerOriginChanged, "ledger_origin_changed"},
    {AuditType::kAddressUnblocked, "address_unblocked"},
    {AuditType::kBreakGlassReviewed, "break_glass_reviewed"},
    {AuditType::kPatientErased, "patient_erased"},
    {AuditType::kPatientFlagChanged, "patient_flag_changed"},
    {AuditType::kBulkExport, "bulk_export"},
    {AuditType::kMasterKeyRotated, "master_key_rotated"},
}});

}  // namespace

std::string_view AuditTypeName(AuditType type) { return kAuditTypes.Name(type); }
std::string_view AlertKindName(AlertKind kind) { return kAlertKinds.Name(kind); }
std::optional<AlertKind> ParseAlertKind(std::string_view name) { return kAlertKinds.Parse(name); }
std::string_view SeverityName(Severity severity) { return kSeverities.Name(severity); }
std::optional<Severity> ParseSeverity(std::string_view name) { return kSeverities.Parse(name); }
std::string_view AlertStatusName(AlertStatus status) { return kAlertStatuses.Name(status); }
std::optional<AlertStatus> ParseAlertStatus(std::string_view name) {
  return kAlertStatuses.Parse(name);
}
std::string_view ResponseActionName(ResponseAction action) { return kResponseActions.Name(action); }
std::optional<ResponseAction> ParseResponseAction(std::string_view name) {
  return kResponseActions.Parse(name);
}

std::string Entity::ToString() const {
  const std::string_view type_name = kEntityTypes.Name(type);
  if (id.empty()) return std::string(type_name);
  return std::string(type_name) + ":" + id;
}

std::optional<Entity> Entity::Parse(std::string_view text) {
  const size_t colon = text.find(':');
  const auto type = kEntityTypes.Parse(text.substr(0, colon));
  if (!type) return std::nullopt;
  if (colon == std::string_view::npos) {
    if (*type != Type::kHub) return std::nullopt;
    return Entity::Hub();
  }
  if (colon + 1 == text.size()) return std::nullopt;
  return Entity{*type, std::string(text.substr(colon + 1))};
}

EntrySubjects SubjectsOf(const AuditRecord& record) {
  const auto field = [&](const char* name) -> std::string_view {
    const auto it = record.fields.find(name);
    return it == record.fields.end() ? std::string_view() : std::string_view(it->second);
  };
  return {field("user"), field("by"), field("patient"), field("device")};
}

}  // namespace vigil::events
