// The rows an accepted device message leaves in the store: its receipt and its sealed
// Observations. Shared by the reading store that writes them and the ledger store that reads
// them back for verification.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::store {

struct SealedObservation {
  std::string id;
  std::string patient_id;
  std::string device_id;
  std::string code;  // LOINC
  int64_t effective_ms = 0;
  uint64_t seq = 0;
  std::string sealed;  // SealedRecord bytes
};

// A stored Observation as a page visit sees it: views into the store's row, valid only for the
// duration of the visitor's call.
struct SealedObservationView {
  std::string_view id, patient_id, device_id, code;
  int64_t effective_ms = 0;
  uint64_t seq = 0;
  std::string_view sealed;

  SealedObservationView() = default;
  explicit SealedObservationView(const SealedObservation& row)
      : id(row.id),
        patient_id(row.patient_id),
        device_id(row.device_id),
        code(row.code),
        effective_ms(row.effective_ms),
        seq(row.seq),
        sealed(row.sealed) {}
};

// Called for each row of a page in order; returning false ends the visit early (not an error).
using ObservationVisitor = std::function<bool(const SealedObservationView&)>;

// One accepted device message: its receipt (which makes resends idempotent and replays
// detectable) and the Observations it produced.
struct ReadingCommit {
  std::string device_id;
  uint64_t seq = 0;
  std::string payload_digest;  // SHA-256 of the payload as received, 32 bytes
  int64_t received_ms = 0;
  std::vector<SealedObservation> observations;
  std::string suspect = {};  // why its Observations are doubted (SuspectReading); "" if not
};

// A stored message whose Observations the hub doubts: flagged at ingest (a value drifted from
// the device's normal, vitals that do not belong together, an implausible change, a backdated
// time) or marked later (the readings of a cloned certificate: "clone").
struct SuspectReading {
  std::string device_id;
  uint64_t seq = 0;
  std::string reason;
};

// The reason message (device_id, seq) is suspect in `sorted` (ordered by device id, then
// sequence number, as ReadingStore::SuspectReadings lists them); empty when it is not.
inline std::string_view FindSuspect(const std::vector<SuspectReading>& sorted,
                                    std::string_view device_id, uint64_t seq) {
  const auto at = std::lower_bound(sorted.begin(), sorted.end(), std::pair(device_id, seq),
                                   [](const SuspectReading& s, auto key) {
                                     return std::pair(std::string_view(s.device_id), s.seq) < key;
                                   });
  if (at == sorted.end() || at->device_id != device_id || at->seq != seq) return {};
  return at->reason;
}

// The widest gap between an Observation of `c` and its message's receipt: a store keeps each
// device's widest, so that an Observation is found by id near its receipt's time.
inline int64_t WidestSkew(const ReadingCommit& c) {
  int64_t widest = 0;
  for (const SealedObservation& o : c.observations) {
    widest = std::max(widest, o.effective_ms > c.received_ms ? o.effective_ms - c.received_ms
                                                             : c.received_ms - o.effective_ms);
  }
  return widest;
}

}  // namespace vigil::store
