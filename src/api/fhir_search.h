// The Observation search as FHIR clients send it (R4 3.1.1): its parameters read into a store
// query and what the reply must hold besides the matching rows (a count only, a total, chosen
// elements, included Devices and Patient). Parameters the hub does not support are ignored and
// named in the Bundle under the default `Prefer: handling=lenient`, refused under
// `handling=strict`.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/api_request.h"
#include "core/status.h"
#include "store/reading_store.h"

namespace vigil::api {

inline constexpr uint64_t kDefaultCount = 100;
inline constexpr uint64_t kMaxCount = 1000;

struct ObservationSearch {
  store::ObservationQuery query;
  bool matches_nothing = false;  // a category or code no stored Observation has
  bool count_only = false;       // _summary=count or _count=0: the total, no entries
  bool want_total = false;       // _total=accurate
  std::optional<int64_t> updated_from_ms, updated_to_ms;  // _lastUpdated (meta.lastUpdated)
  std::vector<std::string> elements;  // _elements: the top-level elements kept; empty: all
  bool include_device = false;        // _include=Observation:device
  bool include_patient = false;       // _include=Observation:patient (or :subject)
  // The parameters used, as "name=value" pairs, for the Bundle's links; and those ignored
  // (lenient handling), each with why.
  std::vector<std::pair<std::string, std::string>> used;
  std::vector<std::string> ignored;
};

// Patient/$everything's parameters: the resource types wanted (of those the hub holds: Patient,
// Device, Observation), `_since`, `_count` (Observations a page, 1 to kMaxCount) and the page
// (`_cursor`, from a next link); others ignored and named, or refused under strict handling.
struct EverythingSearch {
  std::set<std::string> types;  // empty string alone: only types the hub does not hold
  std::optional<int64_t> since_ms;
  uint64_t count = kDefaultCount;
  std::optional<std::pair<int64_t, std::string>> after;   // a later page: Observations after this
  std::vector<std::pair<std::string, std::string>> used;  // for the links
  std::vector<std::string> warnings;
};
Result<EverythingSearch> ParseEverythingSearch(const ApiRequest& request);

// Whether the request asks for strict handling of search parameters (Prefer: handling=strict).
bool StrictHandling(const ApiRequest& request);

// The search of `request`. InvalidArgument for a bad value of a supported parameter, a missing
// patient, and (under strict handling) an unsupported parameter or value.
Result<ObservationSearch> ParseObservationSearch(const ApiRequest& request);

// The values of a comma-separated parameter (_id, _elements), empty ones left out.
std::vector<std::string> CommaList(const std::string& value);

// "Patient/p-1" or "p-1" -> "p-1".
std::string PatientIdOf(const std::string& reference);

// A number from 0 to `max`; InvalidArgument otherwise.
Result<uint64_t> ParseCount(const std::string& text, uint64_t max);

// A page's position in `next` links (keyset paging): the last row of the page before.
std::string CursorOf(int64_t effective_ms, std::string_view id);

// The absolute URL of a search at `request`'s path with `params` (names and values as given,
// percent-encoded here); with `page_name` (_offset or _cursor), that paging parameter set to
// `page_value` in place of any the params hold.
std::string SearchUrl(const ApiRequest& request,
                      const std::vector<std::pair<std::string, std::string>>& params,
                      std::string_view page_name = {}, const std::string& page_value = {});

}  // namespace vigil::api
