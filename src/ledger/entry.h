// Ledger entries: canonical, versioned records of security events (docs/ledger.md).
//
// Encoding (version 1): 0x01 || type (u8) || time_ms (i64 BE) || field count (u8) || fields,
// each: name length (u8) || name || value length (u32 BE) || value; fields sorted by name, so
// an entry has exactly one encoding. Version 2 (every entry appended since session 8) is
// 0x02 || salt (16 random bytes) || the rest as version 1: its leaf hash, which outsiders see,
// then reveals nothing about its low-entropy content to anyone without the entry itself.
// Entries carry ids, reasons and digests, never health data.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace vigil::ledger {

enum class EntryType : uint8_t {
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

std::string_view EntryTypeName(EntryType type);

struct LedgerEntry {
  EntryType type = EntryType::kReadingBatch;
  int64_t time_ms = 0;
  std::map<std::string, std::string> fields;
  std::string salt = {};  // 16 bytes: version 2; empty: version 1 (Ledger::Append makes one)
};

inline constexpr size_t kEntrySaltBytes = 16;

std::string EncodeEntry(const LedgerEntry& entry);
// InvalidArgument for anything that is not a canonical version-1 encoding.
Result<LedgerEntry> DecodeEntry(std::string_view bytes);
// The same checks without building the entry (verification of millions): its type.
Result<EntryType> CheckEntry(std::string_view bytes);

// SHA-256 over a batch's rows in a fixed order (receipts by device then seq; Observations by
// id), each field length-prefixed: what a reading-batch entry records, and what verification
// recomputes from the stored rows. Observations are taken from `receipts[i].observations` and
// from `observations`, whichever is given.
std::string BatchDigest(std::span<const store::ReadingCommit> receipts,
                        std::span<const store::SealedObservation> observations);

}  // namespace vigil::ledger
