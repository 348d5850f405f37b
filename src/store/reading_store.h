// Sealed readings: each accepted message's receipt and Observations, committed in groups with
// the ledger entry that covers them (one transaction), and the searches the FHIR API runs over
// them. Every method is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/ledger_store.h"
#include "store/reading_rows.h"

namespace vigil::store {

// A search of one patient's Observations (FHIR Observation?patient=...).
struct ObservationQuery {
  std::string patient_id;
  std::vector<std::string> codes;                          // LOINC codes; empty: any
  std::vector<std::string> ids;                            // Observation ids; empty: any
  std::optional<int64_t> from_ms;                          // effective >= from
  std::optional<int64_t> to_ms;                            // effective <= to
  std::optional<std::pair<int64_t, int64_t>> not_between;  // effective outside [first, last]
  bool newest_first = false;
  uint64_t limit = 100;
  uint64_t offset = 0;
  // Keyset paging: only rows after this (effective_ms, id) in the search's order (before it,
  // newest first). A page that starts after the last row of the one before sees every row
  // that existed when paging began exactly once, whatever is stored meanwhile. Not counted
  // against by CountObservations (the total is the whole search's).
  std::optional<std::pair<int64_t, std::string>> after;
};

class ReadingStore {
 public:
  virtual ~ReadingStore() = default;

  // Makes all of `commits` durable in one transaction (fsync'd before it returns ok), and
  // raises each device's last_seq. With `ledger`, its entries are appended in the same
  // transaction (remade if the ledger grew: LedgerAppend) and the rows are tagged with the
  // index the batch's entry got.
  // All or nothing.
  virtual Status CommitReadings(std::span<const ReadingCommit> commits,
                                const LedgerAppend* ledger = nullptr) = 0;

  // The payload digest of the committed message (device, seq), if there is one.
  virtual Result<std::optional<std::string>> FindReceiptDigest(const std::string& device_id,
                                                               uint64_t seq) = 0;

  // A patient's sealed Observations ordered by effective time, then device, sequence and the
  // order they were made in.
  virtual Result<std::vector<SealedObservation>> ListObservations(
      const std::string& patient_id) = 0;

  // Visits one page of a patient's Observations, ordered by effective time then id, straight
  // from the store's rows (nothing copied). Errors only if the store could not be read.
  virtual Status VisitObservations(const ObservationQuery& q, const ObservationVisitor& visit) = 0;
  // How many Observations `q` matches, ignoring its limit and offset.
  virtual Result<uint64_t> CountObservations(const ObservationQuery& q) = 0;
  // The Observation with `id` of `patient_id`, if there is one.
  virtual Result<std::optional<SealedObservation>> FindObservation(const std::string& patient_id,
                                                                   const std::string& id) = 0;

  // Marks the messages (`device_id`, each of `seqs`) of `patient_id` suspect for `reason`; a
  // message marked already keeps its first reason. Committed before it returns.
  virtual Status MarkSuspect(const std::string& patient_id, const std::string& device_id,
                             std::span<const uint64_t> seqs, const std::string& reason) = 0;
  // Every suspect message of the patient's (few: a page looks its rows up in them).
  virtual Result<std::vector<SuspectReading>> SuspectReadings(const std::string& patient_id) = 0;
};

}  // namespace vigil::store
