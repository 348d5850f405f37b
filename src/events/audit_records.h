// One record type per kind of ledger entry (events::AuditType), with its fields as members.
// Build one and hand it to an AuditTrail as events::Record(time_ms, record); read one back with
// events::As<T>(entry) (events/audit_fields.h). Field names are the ledger's (docs/ledger.md)
// and are spelled only here. Records carry ids, reasons and digests, never health data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/audit_fields.h"
#include "events/audit_record.h"

namespace vigil::events::audit {

constexpr Presence kRequired = Presence::kRequired;
constexpr Presence kOptional = Presence::kOptional;

// How many unauthenticated events of one address prefix the entry stands for: entries about
// unknown identities are summarised per prefix and window, not written one each.
struct Suppression {
  std::string prefix = {};            // the address prefix ("203.0.113.0/24"); empty: not counted
  uint64_t suppressed = 0;            // like events of this prefix not written since its last
  uint64_t suppressed_elsewhere = 0;  // of other prefixes, since the last entry of any
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("prefix", r.prefix, kOptional);
    field("suppressed", r.suppressed, kOptional);
    field("suppressed_elsewhere", r.suppressed_elsewhere, kOptional);
  }
};

// A group of readings committed in one transaction with this entry.
struct ReadingBatch {
  static constexpr AuditType kType = AuditType::kReadingBatch;
  uint64_t count = 0;       // receipts and Observations the batch holds
  std::string digest = {};  // ledger::BatchDigest of those rows
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("count", r.count, kRequired);
    field("digest", r.digest, kRequired);
  }
};

struct DeviceEnrolled {
  static constexpr AuditType kType = AuditType::kDeviceEnrolled;
  std::string device = {};
  std::string patient = {};
  std::string type = {};
  std::string cert_sha256 = {};  // of the certificate issued at enrolment, hex
  std::string by = {};           // who enrolled it ("os:<name>" from the CLI, or a user)
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("device", r.device, kRequired);
    field("patient", r.patient, kRequired);
    field("type", r.type, kRequired);
    field("cert_sha256", r.cert_sha256, kRequired);
    field("by", r.by, kOptional);
  }
};

struct DeviceRevoked {
  static constexpr AuditType kType = AuditType::kDeviceRevoked;
  std::string device = {};
  std::string by = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("device", r.device, kRequired);
    field("by", r.by, kOptional);
  }
};

struct PatientAdded {
  static constexpr AuditType kType = AuditType::kPatientAdded;
  std::string patient = {};
  std::string by = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("patient", r.patient, kRequired);
    field("by", r.by, kOptional);
  }
};

struct UserAdded {
  static constexpr AuditType kType = AuditType::kUserAdded;
  std::string user = {};
  std::string role = {};
  std::string patient = {};  // for patient users
  std::string by = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("user", r.user, kRequired);
    field("role", r.role, kRequired);
    field("patient", r.patient, kOptional);
    field("by", r.by, kOptional);
  }
};

// A password check. Names that are not users are kept only as a digest, and their attempts are
// summarised per address prefix.
struct Login {
  static constexpr AuditType kType = AuditType::kLogin;
  std::string user = {};         // a known user
  std::string user_sha256 = {};  // or the digest of a name that is not one
  std::string address = {};
  std::string outcome = {};  // password_ok, bad_password, throttled
  Suppression suppression = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("user", r.user, kOptional);
    field("user_sha256", r.user_sha256, kOptional);
    field("address", r.address, kRequired);
    field("outcome", r.outcome, kRequired);
    Suppression::Fields(r.suppression, field);
  }
};

struct Mfa {
  static constexpr AuditType kType = AuditType::kMfa;
  std::string user = {};
  std::string address = {};
  std::string outcome = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("user", r.user, kRequired);
    field("address", r.address, kRequired);
    field("outcome", r.outcome, kRequired);
  }
};

struct Logout {
  static constexpr AuditType kType = AuditType::kLogout;
  std::string user = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("user", r.user, kRequired);
  }
};

struct SessionsRevoked {
  static constexpr AuditType kType = AuditType::kSessionsRevoked;
  std::string user = {};
  std::string by = {};
  int64_t count = 0;
  std::string address = {};  // a token shown from an address other than the one that made it
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("user", r.user, kRequired);
    field("by", r.by, kRequired);
    field("count", r.count, kRequired);
    field("address", r.address, kOptional);
  }
};

// The basis an Access record gives for a caregiver's read allowed through the patient's care team
// and consent (the job, as opposed to break-glass or another rule).
inline constexpr std::string_view kCareTeamBasis = "care-team+consent";

// A decision on a request for a patient's data, allowed or not.
struct Access {
  static constexpr AuditType kType = AuditType::kAccess;
  std::string user = {};
  std::string role = {};
  std::string patient = {};
  std::string action = {};
  std::string resource = {};
  std::string decision = {};  // access::OutcomeName: allowed, denied, break-glass
  std::string basis = {};     // why (policy rule, care team, consent, "cli: ...")
  std::string reason = {};    // a break-glass reason
  std::string address = {};   // the caller's address, for API requests
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("user", r.user, kRequired);
    field("role", r.role, kRequired);
    field("patient", r.patient, kRequired);
    field("action", r.action, kRequired);
    field("resource", r.resource, kRequired);
    field("decision", r.decision, kRequired);
    field("basis", r.basis, kRequired);
    field("reason", r.reason, kOptional);
    field("address", r.address, kOptional);
  }
};

struct ConsentChanged {
  static constexpr AuditType kType = AuditType::kConsentChanged;
  std::string patient = {};
  std::string by = {};
  std::string consent_sha256 = {};  // of the stored encoding, hex
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("patient", r.patient, kRequired);
    field("by", r.by, kRequired);
    field("consent_sha256", r.consent_sha256, kRequired);
  }
};

struct CareTeamChanged {
  static constexpr AuditType kType = AuditType::kCareTeamChanged;
  std::string patient = {};
  std::string user = {};
  std::string change = {};  // added, removed
  std::string by = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("patient", r.patient, kRequired);
    field("user", r.user, kRequired);
    field("change", r.change, kRequired);
    field("by", r.by, kRequired);
  }
};

struct PasswordChanged {
  static constexpr AuditType kType = AuditType::kPasswordChanged;
  std::string user = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("user", r.user, kRequired);
  }
};

struct DeviceConnected {
  static constexpr AuditType kType = AuditType::kDeviceConnected;
  std::string device = {};
  std::string address = {};
  std::string protocol = {};
  uint64_t suppressed = 0;  // connections of this device not written since its last
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("device", r.device, kRequired);
    field("address", r.address, kRequired);
    field("protocol", r.protocol, kRequired);
    field("suppressed", r.suppressed, kOptional);
  }
};

// A refused connection: one entry each for a known device (rate-limited per address), summarised
// per address prefix for unknown ones.
struct ConnectionRefused {
  static constexpr AuditType kType = AuditType::kConnectionRefused;
  std::string reason = {};
  std::string address = {};
  std::string protocol = {};
  std::string device = {};  // when the certificate named an enrolled device
  Suppression suppression = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("reason", r.reason, kRequired);
    field("address", r.address, kRequired);
    field("protocol", r.protocol, kRequired);
    field("device", r.device, kOptional);
    Suppression::Fields(r.suppression, field);
  }
};

struct HubStarted {
  static constexpr AuditType kType = AuditType::kHubStarted;
  std::string config_sha256 = {};
  std::string version = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("config_sha256", r.config_sha256, kRequired);
    field("version", r.version, kRequired);
  }
};

struct AlertRaised {
  static constexpr AuditType kType = AuditType::kAlertRaised;
  int64_t alert = 0;
  std::string kind = {};       // events::AlertKindName
  std::string severity = {};   // events::SeverityName
  std::string entity = {};     // events::Entity::ToString
  std::string technique = {};  // MITRE ATT&CK id
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("alert", r.alert, kRequired);
    field("kind", r.kind, kRequired);
    field("severity", r.severity, kRequired);
    field("entity", r.entity, kRequired);
    field("technique", r.technique, kRequired);
  }
};

struct AlertStatusChanged {
  static constexpr AuditType kType = AuditType::kAlertStatusChanged;
  int64_t alert = 0;
  std::string status = {};
  std::string by = {};
  std::string note = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("alert", r.alert, kRequired);
    field("status", r.status, kRequired);
    field("by", r.by, kRequired);
    field("note", r.note, kOptional);
  }
};

struct ResponseTaken {
  static constexpr AuditType kType = AuditType::kResponseTaken;
  int64_t alert = 0;
  std::string action = {};  // events::ResponseActionName
  std::string target = {};  // what it was taken on (device, user, address)
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("alert", r.alert, kRequired);
    field("action", r.action, kRequired);
    field("target", r.target, kRequired);
  }
};

struct DeviceReleased {
  static constexpr AuditType kType = AuditType::kDeviceReleased;
  std::string device = {};
  std::string by = {};
  std::string reason = {};  // why the person released it (the console asks)
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("device", r.device, kRequired);
    field("by", r.by, kRequired);
    field("reason", r.reason, kOptional);
  }
};

struct IncidentClosed {
  static constexpr AuditType kType = AuditType::kIncidentClosed;
  int64_t incident = 0;
  std::string by = {};
  std::string note = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("incident", r.incident, kRequired);
    field("by", r.by, kRequired);
    field("note", r.note, kOptional);
  }
};

struct LoginUnlocked {
  static constexpr AuditType kType = AuditType::kLoginUnlocked;
  std::string user = {};
  std::string by = {};
  std::string reason = {};  // why the person lifted the hold (the console asks)
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("user", r.user, kRequired);
    field("by", r.by, kRequired);
    field("reason", r.reason, kOptional);
  }
};

struct BreachReported {
  static constexpr AuditType kType = AuditType::kBreachReported;
  int64_t incident = 0;
  std::string by = {};
  uint64_t patients = 0;  // how many patients the report names
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("incident", r.incident, kRequired);
    field("by", r.by, kRequired);
    field("patients", r.patients, kRequired);
  }
};

// `vigil recover` accepted the loss of entries the hub had signed.
struct DataLoss {
  static constexpr AuditType kType = AuditType::kDataLoss;
  std::string lost_entries = {};  // "first..last"
  uint64_t signed_size = 0;
  std::string signed_at = {};     // RFC 3339
  std::string last_kept_at = {};  // RFC 3339
  std::string devices = {};       // "id:first..last,...": sequence numbers acknowledged and lost
  uint64_t messages = 0;          // how many those ranges hold
  std::string by = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("lost_entries", r.lost_entries, kRequired);
    field("signed_size", r.signed_size, kRequired);
    field("signed_at", r.signed_at, kRequired);
    field("last_kept_at", r.last_kept_at, kRequired);
    field("devices", r.devices, kRequired);
    field("messages", r.messages, kRequired);
    field("by", r.by, kRequired);
  }
};

// The ledger's checkpoints are signed for a new origin (and key name) from this entry on: the
// same key, named after the hub's public address (docs/ledger.md "Origin").
struct LedgerOriginChanged {
  static constexpr AuditType kType = AuditType::kLedgerOriginChanged;
  std::string old_origin = {};
  std::string origin = {};
  std::string key = {};  // the verifier key for `origin`
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("old_origin", r.old_origin, kRequired);
    field("origin", r.origin, kRequired);
    field("key", r.key, kRequired);
  }
};

// A block a containment playbook put on a peer address was lifted by a person before it ended.
struct AddressUnblocked {
  static constexpr AuditType kType = AuditType::kAddressUnblocked;
  std::string address = {};
  std::string by = {};
  std::string reason = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("address", r.address, kRequired);
    field("by", r.by, kRequired);
    field("reason", r.reason, kRequired);
  }
};

// The security officer looked at a break-glass access and judged it: "justified" or
// "unjustified" (referred for follow-up), with a note.
struct BreakGlassReviewed {
  static constexpr AuditType kType = AuditType::kBreakGlassReviewed;
  std::string review = {};  // the review item's id
  std::string user = {};    // who broke the glass
  std::string patient = {};
  std::string by = {};  // the reviewer
  std::string verdict = {};
  std::string note = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("review", r.review, kRequired);
    field("user", r.user, kRequired);
    field("patient", r.patient, kRequired);
    field("by", r.by, kRequired);
    field("verdict", r.verdict, kRequired);
    field("note", r.note, kRequired);
  }
};

// A patient erased (GDPR Art. 17): their data key destroyed, their devices revoked. The tombstone
// names the patient's id and counts; it holds nothing of their data. `reason` is the operator's
// reference for the request (a ticket, not a name: docs/privacy.md).
struct PatientErased {
  static constexpr AuditType kType = AuditType::kPatientErased;
  std::string patient = {};
  std::string by = {};
  std::string reason = {};
  std::string devices = {};   // the devices revoked, space-separated
  std::string readings = {};  // how many stored Observations were made unreadable
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("patient", r.patient, kRequired);
    field("by", r.by, kRequired);
    field("reason", r.reason, kRequired);
    field("devices", r.devices, kOptional);
    field("readings", r.readings, kRequired);
  }
};

// A legal hold placed on or lifted from a patient's record, or their processing restricted or
// the restriction lifted (GDPR Art. 18).
struct PatientFlagChanged {
  static constexpr AuditType kType = AuditType::kPatientFlagChanged;
  std::string patient = {};
  std::string flag = {};    // "legal-hold", "restricted"
  std::string change = {};  // "set", "lifted"
  std::string by = {};
  std::string reason = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("patient", r.patient, kRequired);
    field("flag", r.flag, kRequired);
    field("change", r.change, kRequired);
    field("by", r.by, kRequired);
    field("reason", r.reason, kRequired);
  }
};

// A Bulk Data export finished: who asked, over what, how much left the hub (each patient's part
// is an `access` entry of its own, made before it was read).
struct BulkExport {
  static constexpr AuditType kType = AuditType::kBulkExport;
  std::string job = {};
  std::string by = {};
  std::string scope = {};      // "system" ([base]/$export) or "patients" (Patient/$export)
  std::string patients = {};   // how many patients' data it holds
  std::string resources = {};  // how many resources
  std::string types = {};      // "Patient,Device,Observation"
  std::string since = {};      // _since, if given
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("job", r.job, kRequired);
    field("by", r.by, kRequired);
    field("scope", r.scope, kRequired);
    field("patients", r.patients, kRequired);
    field("resources", r.resources, kRequired);
    field("types", r.types, kRequired);
    field("since", r.since, kOptional);
  }
};

// The hub's master key was replaced: every patient's data key and every sealed secret rewrapped
// under the new one (`vigil keys rotate-master`).
struct MasterKeyRotated {
  static constexpr AuditType kType = AuditType::kMasterKeyRotated;
  std::string by = {};
  std::string data_keys = {};  // how many rewrapped
  std::string secrets = {};
  template <class Self, class F>
  static void Fields(Self& r, F&& field) {
    field("by", r.by, kRequired);
    field("data_keys", r.data_keys, kRequired);
    field("secrets", r.secrets, kRequired);
  }
};

}  // namespace vigil::events::audit
