// The rows of an Observation search read in order and opened, with the filters the store
// cannot apply (meta.lastUpdated, known only once a row is opened) applied after opening: shared
// by the search (GET /fhir/Observation) and Patient/$everything.
#pragma once

#include <algorithm>
#include <string>
#include <utility>

#include "api/fhir_search.h"
#include "model/observation.h"
#include "store/keyring.h"
#include "store/observation_reader.h"
#include "store/store.h"

namespace vigil::api {

// Rows read a round when a filter applied after opening (_lastUpdated) may leave most out.
inline constexpr uint64_t kFilteredRound = 256;

// Whether an opened Observation passes the filters the store cannot apply.
inline bool PassesAfterOpening(const ObservationSearch& s, const model::Observation& o) {
  return (!s.updated_from_ms || o.issued_ms >= *s.updated_from_ms) &&
         (!s.updated_to_ms || o.issued_ms <= *s.updated_to_ms);
}

// Reads the search's matching rows in order, opened, into `visit` until it returns false or
// the rows run out: one store query when the store applies every filter, else round after
// round (each starting after the last row read) with the offset counted in matching rows.
template <typename Visit>
Status VisitMatching(store::Store& store, store::KeyRing& keys, const ObservationSearch& search,
                     uint64_t wanted, Visit&& visit) {
  const bool filtered = search.updated_from_ms || search.updated_to_ms;
  store::ObservationQuery q = search.query;
  uint64_t skip = filtered ? q.offset : 0;
  if (filtered) q.offset = 0;
  q.limit = filtered ? std::max(wanted, kFilteredRound) : wanted;
  store::ObservationReader reader(store, keys, search.query.patient_id);
  bool more = true;
  while (more) {
    uint64_t read = 0;
    std::pair<int64_t, std::string> last;
    VIGIL_RETURN_IF_ERROR(reader.Visit(q, [&](const model::Observation& observation) {
      ++read;
      if (filtered) {
        last = {observation.effective_ms, observation.id};
        if (!PassesAfterOpening(search, observation)) return true;
        if (skip > 0) {
          --skip;
          return true;
        }
      }
      more = visit(observation);
      return more;
    }));
    if (!filtered || read < q.limit) break;
    q.after = std::move(last);
  }
  return Status::Ok();
}

}  // namespace vigil::api
