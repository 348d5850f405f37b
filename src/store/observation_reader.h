// A patient's stored Observations read back for people: each row opened under the patient's data
// key (taken at the first row, so a patient without rows needs none) and labelled with the
// reason the hub doubts it, if it does (model::Observation::suspect). What the FHIR search and
// the console's charts both read through.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/observation.h"
#include "store/keyring.h"
#include "store/reading_store.h"
#include "store/sealed_record.h"

namespace vigil::store {

class ObservationReader {
 public:
  // The reader of `patient_id`'s rows; which of them are suspect is read once, at the first
  // Visit.
  ObservationReader(ReadingStore& store, KeyRing& keys, std::string patient_id)
      : store_(store), keys_(keys), patient_id_(std::move(patient_id)) {}

  // Each row of `query` (whose patient must be this reader's), in the query's order, opened,
  // into `visit` until it returns false. DataLoss naming the row if one does not open; the
  // key's error if the patient has none.
  Status Visit(const ObservationQuery& query,
               const std::function<bool(const model::Observation&)>& visit);

  // Every row of `query` (its limit and cursor ignored), oldest first, read page by page of
  // `page_rows` (each after the last row of the one before: a long read holds no snapshot
  // between pages), into `visit` until it returns false; `page_read` told the rows read so far
  // after each page.
  Status VisitAll(ObservationQuery query,
                  const std::function<bool(const model::Observation&)>& visit,
                  const std::function<void(uint64_t)>& page_read = {}, uint64_t page_rows = 5'000);

 private:
  ReadingStore& store_;
  KeyRing& keys_;
  std::string patient_id_;
  std::optional<std::vector<SuspectReading>> suspects_;  // sorted as FindSuspect needs them
  std::optional<ObservationOpener> opener_;              // keyed at the first row
  model::Observation observation_;                       // reused row after row
};

}  // namespace vigil::store
