#include "store/observation_reader.h"

#include "store/reading_rows.h"

namespace vigil::store {

Status ObservationReader::Visit(const ObservationQuery& query,
                                const std::function<bool(const model::Observation&)>& visit) {
  if (!suspects_) {
    VIGIL_ASSIGN_OR_RETURN(suspects_, store_.SuspectReadings(patient_id_));
  }
  Status failed;
  VIGIL_RETURN_IF_ERROR(store_.VisitObservations(query, [&](const SealedObservationView& row) {
    if (!opener_) {
      auto key = keys_.DataKey(patient_id_);
      if (!key.ok()) {
        failed = key.status();
        return false;
      }
      opener_.emplace(*key);
    }
    if (!opener_->OpenInto(row, observation_).ok()) {
      failed = Status::DataLoss("Observation " + std::string(row.id) + " does not open");
      return false;
    }
    if (!suspects_->empty()) {
      observation_.suspect = FindSuspect(*suspects_, row.device_id, row.seq);
    }
    return visit(observation_);
  }));
  return failed;
}

Status ObservationReader::VisitAll(ObservationQuery query,
                                   const std::function<bool(const model::Observation&)>& visit,
                                   const std::function<void(uint64_t)>& page_read,
                                   uint64_t page_rows) {
  query.limit = page_rows;
  query.after.reset();
  uint64_t read = 0;
  bool stopped = false;
  for (bool more = true; more && !stopped;) {
    uint64_t in_page = 0;
    VIGIL_RETURN_IF_ERROR(Visit(query, [&](const model::Observation& observation) {
      ++in_page;
      query.after = std::pair{observation.effective_ms, observation.id};
      stopped = !visit(observation);
      return !stopped;
    }));
    read += in_page;
    if (page_read) page_read(read);
    more = in_page == page_rows;
  }
  return Status::Ok();
}

}  // namespace vigil::store
