// The audit vocabulary: what the ledger records (docs/ledger.md), one type per kind of security
// event; the fields of each are the members of its record type (events/audit_records.h), which
// modules build and hand to an AuditTrail (events/audit_trail.h); ledger/ encodes them. Records
// carry ids, reasons and digests, never health data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace vigil::events {

enum class AuditType : uint8_t {
  kReadingBatch = 1,
  kDeviceEnrolled = 2,
  kDeviceRevoked = 3,
  kPatientAdded = 4,
  kUserAdded = 5,
  kLogin = 6,
  kMfa = 7,
  kLogout = 8,
  kSessionsRevoked = 9,
  kAccess = 10,
  kConsentChanged = 11,
  kCareTeamChanged = 12,
  kPasswordChanged = 13,
  kDeviceConnected = 14,
  kConnectionRefused = 15,
  kHubStarted = 16,
  kAlertRaised = 17,
  kAlertStatusChanged = 18,
  kResponseTaken = 19,
  kDeviceReleased = 20,
  kIncidentClosed = 21,
  kLoginUnlocked = 22,
  kBreachReported = 23,
  kDataLoss = 24,
  kLedgerOriginChanged = 25,
  kAddressUnblocked = 26,
  kBreakGlassReviewed = 27,
  kPatientErased = 28,
  kPatientFlagChanged = 29,
  kBulkExport = 30,
  kMasterKeyRotated = 31,
  kLastType = kMasterKeyRotated,
};

std::string_view AuditTypeName(AuditType type);  // "reading_batch", "login", ...

struct AuditRecord {
  AuditType type = AuditType::kReadingBatch;
  int64_t time_ms = 0;
  std::map<std::string, std::string> fields;  // as events::Record writes them
  std::string salt = {};  // the ledger's: 16 bytes in version-2 entries (ledger/entry.h)
};

// Whom an entry of any type names, for viewers that filter the whole ledger (the console's audit
// viewer): its user ("user", "by"), patient and device fields. Empty where it has none.
struct EntrySubjects {
  std::string_view user, by, patient, device;
};
EntrySubjects SubjectsOf(const AuditRecord& record);

}  // namespace vigil::events
