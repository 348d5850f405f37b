// The audit vocabulary: what the ledger records (docs/ledger.md), one type per kind of security
// event with the fields each carries. Modules build records and hand them to an AuditTrail
// (events/audit_trail.h); ledger/ encodes them. Records carry ids, reasons and digests, never
// health data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::events {

enum class AuditType : uint8_t {
  kReadingBatch = 1,     // fields: count, digest (BatchDigest of the rows)
  kDeviceEnrolled = 2,   // fields: device, patient, type, cert_sha256
  kDeviceRevoked = 3,    // fields: device
  kPatientAdded = 4,     // fields: patient
  kUserAdded = 5,        // fields: user, role, [patient]
  kLogin = 6,            // fields: user | user_sha256 (unknown names), address, outcome
  kMfa = 7,              // fields: user, address, outcome
  kLogout = 8,           // fields: user
  kSessionsRevoked = 9,  // fields: user, by, count, [address] (a token shown from elsewhere)
  kAccess =
      10,  // fields: user, role, patient, action, resource, decision, basis, [reason], [address]
  kConsentChanged = 11,      // fields: patient, by, consent_sha256 (of the stored encoding)
  kCareTeamChanged = 12,     // fields: patient, user, change (added|removed), by
  kPasswordChanged = 13,     // fields: user
  kDeviceConnected = 14,     // fields: device, address, protocol, [suppressed]
  kConnectionRefused = 15,   // fields: reason, address, protocol, [device], [suppressed]
  kHubStarted = 16,          // fields: config_sha256, version
  kAlertRaised = 17,         // fields: alert, kind, severity, entity, technique
  kAlertStatusChanged = 18,  // fields: alert, status, by, [note]
  kResponseTaken = 19,       // fields: alert, action, target
  kDeviceReleased = 20,      // fields: device, by
  kIncidentClosed = 21,      // fields: incident, by, [note]
  kLoginUnlocked = 22,       // fields: user, by
  kBreachReported = 23,      // fields: incident, by, patients (how many the report names)
  // `vigil recover` accepted a loss of entries the hub had signed: fields: lost_entries
  // ("first..last"), signed_size, signed_at, last_kept_at, devices ("id:first..last,..."
  // sequence numbers acknowledged and lost), messages (how many those ranges hold), by
  kDataLoss = 24,
  kLastType = kDataLoss,
};

std::string_view AuditTypeName(AuditType type);  // "reading_batch", "login", ...
std::optional<AuditType> ParseAuditType(std::string_view name);

struct AuditRecord {
  AuditType type = AuditType::kReadingBatch;
  int64_t time_ms = 0;
  std::map<std::string, std::string> fields;  // as listed beside each type above
  std::string salt = {};  // the ledger's: 16 bytes in version-2 entries (ledger/entry.h)
};

}  // namespace vigil::events
