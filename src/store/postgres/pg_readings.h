// Readings in PostgreSQL: each accepted message's receipt and its sealed Observations, written
// by binary COPY inside the caller's transaction, and the searches the FHIR API runs over
// them. Private to store/postgres.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/postgres/pg_connection.h"
#include "store/reading_store.h"

namespace vigil::store::pg {

inline constexpr std::string_view kObservationColumns =
    "id, patient_id, device_id, code, effective_ms, seq, sealed";

// The Observation in `row` of rows selected with kObservationColumns first.
SealedObservation ReadObservation(const Rows& rows, int row);

// Inserts the receipts and Observations of `commits` (tagged with `ledger_index`) and raises
// each device's last sequence number, in `conn`'s open transaction. FailedPrecondition for an
// unknown device, InvalidArgument for an Observation that is not its device's patient's,
// AlreadyExists for a (device, sequence number) stored already.
Status InsertReadings(Connection& conn, std::span<const ReadingCommit> commits,
                      std::optional<uint64_t> ledger_index);

// Marks (device_id, each of seqs) of `patient_id` suspect inside the caller's transaction; a
// mark that exists keeps its reason.
Status InsertSuspects(Connection& conn, const std::string& patient_id, const std::string& device_id,
                      std::span<const uint64_t> seqs, const std::string& reason);
Result<std::vector<SuspectReading>> SuspectReadings(Pool& pool, const std::string& patient_id);
Result<std::optional<std::string>> FindReceiptDigest(Pool& pool, const std::string& device_id,
                                                     uint64_t seq);
Result<std::vector<SealedObservation>> ListObservations(Pool& pool, const std::string& patient_id);
Status VisitObservations(Pool& pool, const ObservationQuery& q, const ObservationVisitor& visit);
Result<uint64_t> CountObservations(Pool& pool, const ObservationQuery& q);
Result<std::optional<SealedObservation>> FindObservation(Pool& pool, const std::string& patient_id,
                                                         const std::string& id);

}  // namespace vigil::store::pg
