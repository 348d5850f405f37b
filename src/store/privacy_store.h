// A patient's standing under data-protection law, kept in the hub's store (Store::privacy()):
// legal holds and restriction of processing (GDPR Art. 18), and erasure by destroying the
// patient's data key (Art. 17, crypto-shredding). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::store {

enum class PatientFlag {
  kLegalHold,   // the record must be kept (litigation, an investigation): erasure is refused
  kRestricted,  // processing restricted: new reads stop, except the patient's and the DPO's
};

std::string_view PatientFlagName(PatientFlag flag);  // "legal-hold", "restricted"
std::optional<PatientFlag> ParsePatientFlag(std::string_view name);

struct PatientFlagRecord {
  std::string patient_id;
  PatientFlag flag = PatientFlag::kLegalHold;
  std::string reason;  // as given by who set it
  std::string by;      // "os:<name>" or a user
  int64_t since_ms = 0;
};

// What an erasure did: kept after the patient's data is gone (a tombstone with no health data).
struct ErasureRecord {
  int64_t seq = 0;  // in the order erasures were made, for hubs catching up (ErasuresAfter)
  std::string patient_id;
  std::string by;
  int64_t erased_ms = 0;
  std::vector<std::string> devices_revoked;  // the patient's devices still active before
  int64_t readings = 0;                      // the stored Observations made unreadable
  // Empty when no copy of the wrapped key is left in the store's files; otherwise where one may
  // linger and until when (a write-ahead log a reader kept from being truncated, PostgreSQL's
  // own log). Not kept: said once, by Erase.
  std::string residue;
};

class PrivacyStore {
 public:
  virtual ~PrivacyStore() = default;

  // Sets a flag on a patient. FailedPrecondition if there is no such patient or it was erased;
  // AlreadyExists if the flag is set already (its reason is kept).
  virtual Status PutFlag(const PatientFlagRecord& flag) = 0;
  // NotFound if the flag was not set.
  virtual Status RemoveFlag(const std::string& patient_id, PatientFlag flag) = 0;
  // The patient's flags (none: an empty list).
  virtual Result<std::vector<PatientFlagRecord>> Flags(const std::string& patient_id) = 0;

  // Erases a patient, atomically: their wrapped data key is deleted (and, in SQLite, its bytes
  // overwritten and the write-ahead log truncated once committed), their sealed demographics
  // cleared, their devices revoked, their care team and consent removed, and the erasure
  // recorded. The sealed readings stay as they are, unreadable without the key (a ledger batch
  // digest commits to them). NotFound for an unknown patient; FailedPrecondition if it was
  // erased already or a legal hold stands (the message says which, and the hold's reason).
  virtual Result<ErasureRecord> Erase(const std::string& patient_id, const std::string& by,
                                      int64_t erased_ms) = 0;
  // The patient's erasure, if they were erased.
  virtual Result<std::optional<ErasureRecord>> FindErasure(const std::string& patient_id) = 0;
  // Erasures made after `seq`, oldest first: a running hub forgets those patients' keys.
  virtual Result<std::vector<ErasureRecord>> ErasuresAfter(int64_t seq) = 0;
};

// A flag's insert as PrivacyStore::PutFlag explains it: a duplicate key is AlreadyExists saying
// the flag is set, a missing patient FailedPrecondition naming them (for the implementations).
Status ExplainFlagInsert(Status inserted, const PatientFlagRecord& flag);

// Gone if `patient_id` was erased, saying when (nothing of the record can be read); Ok otherwise.
Status RefuseErased(PrivacyStore& privacy, const std::string& patient_id);

}  // namespace vigil::store
