// The readings' SQL: receipts and sealed Observations as the group commit writes them, and the
// reads of a patient's Observations (pages, counts, one by id). Used by SqliteStore.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_receipts.h"
#include "store/store.h"

namespace vigil::store::sqlite {

// The columns of an Observation's row, in the order ReadObservation reads them (a SELECT
// list), and the row they make.
inline constexpr std::string_view kObservationColumns =
    "id, patient_id, device_id, code, effective_ms, seq, sealed";
SealedObservation ReadObservation(const Statement& st);

// Schema version 9: each device records the widest gap between an Observation's effective time
// and its message's receipt (FindObservation seeks within it), computed for existing devices.
Status AddDeviceSkew(Database& db);

// Inserts every commit's receipt and Observations (with `ledger_index`, if any) and advances
// each device's last sequence number, inside the caller's transaction. AlreadyExists if a
// receipt for one of the messages is stored; FailedPrecondition for a device not enrolled;
// InvalidArgument for an Observation that is not its message's device's, for that device's
// patient. True if the receipts' tail was indexed (IndexReceiptTail).
Result<bool> InsertReadings(Database& db, std::span<const ReadingCommit> commits,
                            std::optional<uint64_t> ledger_index);

// As the Store methods of the same names (store/store.h).
Result<std::vector<SealedObservation>> ListObservations(ReaderPool& readers,
                                                        const std::string& patient_id);
Status VisitObservations(ReaderPool& readers, const ObservationQuery& q,
                         const ObservationVisitor& visit);
Result<uint64_t> CountObservations(ReaderPool& readers, const ObservationQuery& q);
Result<std::optional<SealedObservation>> FindObservation(ReaderPool& readers,
                                                         const RecentReceipts& recent,
                                                         const std::string& patient_id,
                                                         const std::string& id);

}  // namespace vigil::store::sqlite
