// Suspect readings in SQLite (store::SuspectReading): the table, the marks the group commit and
// the responders make, and a patient's list. Used by SqliteStore.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/reading_rows.h"
#include "store/sqlite/sqlite_db.h"

namespace vigil::store::sqlite {

// Schema version 12: the suspect_readings table, and detection_state (AlertStore).
Status CreateSuspectSchema(Database& db);

// Marks (device, seq) of `patient_id` suspect, inside the caller's transaction; a mark that
// exists keeps its reason.
Status InsertSuspect(Database& db, const std::string& patient_id, const std::string& device_id,
                     uint64_t seq, const std::string& reason);

// As Store::SuspectReadings.
Result<std::vector<SuspectReading>> SuspectReadings(ReaderPool& readers,
                                                    const std::string& patient_id);

}  // namespace vigil::store::sqlite
