#include "api/fhir_search.h"

#include <algorithm>
#include <charconv>
#include <climits>

#include "api/fhir_date.h"
#include "core/percent_encoding.h"
#include "core/time_format.h"
#include "model/observation.h"

namespace vigil::api {
namespace {

constexpr size_t kMaxCodes = 20;
constexpr size_t kMaxIds = 100;

Result<std::pair<int64_t, std::string>> ParseCursor(const std::string& text) {
  const size_t dot = text.find('.');
  int64_t ms = 0;
  if (dot != std::string::npos) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + dot, ms);
    if (ec == std::errc() && end == text.data() + dot && dot + 1 < text.size()) {
      return std::pair{ms, text.substr(dot + 1)};
    }
  }
  return Status::InvalidArgument("_cursor: not a page of this search (follow the next link)");
}

// A FHIR date search value on the effective time (api/fhir_date.h); repeated, all must hold.
Status ApplyDate(const std::string& value, store::ObservationQuery& q) {
  VIGIL_ASSIGN_OR_RETURN(DateCondition c, ParseFhirDateSearch(value));
  if (c.from_ms) q.from_ms = std::max(q.from_ms.value_or(INT64_MIN), *c.from_ms);
  if (c.to_ms) q.to_ms = std::min(q.to_ms.value_or(INT64_MAX), *c.to_ms);
  if (c.outside) {
    if (q.not_between) return Status::InvalidArgument("date: one ne at most");
    q.not_between = c.outside;
  }
  return Status::Ok();
}

// Stored codes both lists allow (`have` empty: no list yet).
std::vector<std::string> Intersect(const std::vector<std::string>& have,
                                   std::vector<std::string> with, bool first) {
  if (first) return with;
  std::vector<std::string> out;
  for (auto& c : with) {
    if (std::find(have.begin(), have.end(), c) != have.end()) out.push_back(std::move(c));
  }
  return out;
}

// The top-level elements an Observation has; _elements may keep any of them.
bool IsObservationElement(std::string_view name) {
  for (std::string_view e :
       {"id", "meta", "status", "category", "code", "subject", "effectiveDateTime", "issued",
        "device", "valueQuantity", "component"}) {
    if (name == e) return true;
  }
  return false;
}

// Reads one parameter into `s`. Unsupported: the reason, for the caller to ignore or refuse.
Result<std::optional<std::string>> ApplyParameter(const std::string& name, const std::string& value,
                                                  ObservationSearch& s, bool& codes_given) {
  store::ObservationQuery& q = s.query;
  if (name == "patient" || name == "subject") {
    q.patient_id = PatientIdOf(value);
  } else if (name == "code" || name == "category") {
    // A search matches any coding a resource carries (model::SearchedLoincCodes); a category is
    // the codes of its kinds. Both given: the codes in both.
    VIGIL_ASSIGN_OR_RETURN(auto codes, name == "code" ? model::SearchedLoincCodes(value)
                                                      : model::CodesOfCategory(value));
    q.codes = Intersect(q.codes, std::move(codes), !codes_given);
    codes_given = true;
    if (q.codes.empty()) s.matches_nothing = true;
  } else if (name == "date") {
    VIGIL_RETURN_IF_ERROR(ApplyDate(value, q));
  } else if (name == "_lastUpdated") {
    VIGIL_ASSIGN_OR_RETURN(DateCondition c, ParseFhirDateSearch(value));
    if (c.outside) return std::optional<std::string>("_lastUpdated: the ne prefix");
    if (c.from_ms) s.updated_from_ms = std::max(s.updated_from_ms.value_or(INT64_MIN), *c.from_ms);
    if (c.to_ms) s.updated_to_ms = std::min(s.updated_to_ms.value_or(INT64_MAX), *c.to_ms);
  } else if (name == "_id") {
    for (auto& id : CommaList(value)) q.ids.push_back(std::move(id));
    if (q.ids.size() > kMaxIds) {
      return Status::InvalidArgument("_id: " + std::to_string(kMaxIds) + " ids at most");
    }
    if (q.ids.empty()) s.matches_nothing = true;
  } else if (name == "_count") {  // FHIR lets a server cap it: larger asks get the maximum
    VIGIL_ASSIGN_OR_RETURN(q.limit, ParseCount(value, UINT32_MAX));
    q.limit = std::min(q.limit, kMaxCount);
    if (q.limit == 0) s.count_only = true;
  } else if (name == "_offset") {
    VIGIL_ASSIGN_OR_RETURN(q.offset, ParseCount(value, UINT32_MAX));
  } else if (name == "_cursor") {
    VIGIL_ASSIGN_OR_RETURN(q.after, ParseCursor(value));
  } else if (name == "_sort") {
    if (value != "date" && value != "-date") {
      return std::optional<std::string>("_sort: only date and -date");
    }
    q.newest_first = value == "-date";
  } else if (name == "_total") {
    if (value != "accurate" && value != "none" && value != "estimate") {
      return Status::InvalidArgument("_total: none, estimate or accurate");
    }
    s.want_total = value == "accurate";
  } else if (name == "_summary") {
    if (value == "count") {
      s.count_only = true;
    } else if (value != "false" && value != "data") {  // no narrative: data is the whole
      return std::optional<std::string>("_summary=" + value);
    }
  } else if (name == "_elements") {
    for (auto& e : CommaList(value)) {
      if (!IsObservationElement(e)) return std::optional<std::string>("_elements: " + e);
      s.elements.push_back(std::move(e));
    }
    // What a valid Observation must have is returned whether asked for or not (R4 3.1.1.5.9).
    for (const char* mandatory : {"status", "code"}) s.elements.emplace_back(mandatory);
  } else if (name == "_include") {
    if (value == "Observation:device" || value == "Observation:device:Device") {
      s.include_device = true;
    } else if (value == "Observation:patient" || value == "Observation:subject" ||
               value == "Observation:patient:Patient" || value == "Observation:subject:Patient") {
      s.include_patient = true;
    } else {
      return std::optional<std::string>("_include=" + value);
    }
  } else if (name != "_format" && name != "_pretty") {  // XML was refused before; JSON is it
    return std::optional<std::string>("the parameter " + name);
  }
  return std::optional<std::string>();
}

}  // namespace

bool StrictHandling(const ApiRequest& request) {
  return request.prefer.find("handling=strict") != std::string::npos;
}

std::vector<std::string> CommaList(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    if (comma > start) out.push_back(value.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string PatientIdOf(const std::string& reference) {
  constexpr std::string_view kPrefix = "Patient/";
  return reference.rfind(kPrefix, 0) == 0 ? reference.substr(kPrefix.size()) : reference;
}

Result<uint64_t> ParseCount(const std::string& text, uint64_t max) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max) {
    return Status::InvalidArgument("a count must be a number from 0 to " + std::to_string(max));
  }
  return v;
}

std::string CursorOf(int64_t effective_ms, std::string_view id) {
  return std::to_string(effective_ms) + "." + std::string(id);
}

std::string SearchUrl(const ApiRequest& request,
                      const std::vector<std::pair<std::string, std::string>>& params,
                      std::string_view page_name, const std::string& page_value) {
  std::string url = request.base_url + request.path;
  char sep = '?';
  auto add = [&](std::string_view name, const std::string& value) {
    url += sep;
    url += PercentEncode(name) + "=" + PercentEncode(value);
    sep = '&';
  };
  for (const auto& [name, value] : params) {
    if (!page_name.empty() && (name == "_offset" || name == "_cursor")) continue;
    add(name, value);
  }
  if (!page_name.empty()) add(page_name, page_value);
  return url;
}

Result<ObservationSearch> ParseObservationSearch(const ApiRequest& request) {
  ObservationSearch s;
  s.query.limit = kDefaultCount;
  bool codes_given = false;
  const bool strict = StrictHandling(request);
  for (const auto& [name, value] : request.query) {
    VIGIL_ASSIGN_OR_RETURN(auto unsupported, ApplyParameter(name, value, s, codes_given));
    if (!unsupported) {
      if (name != "_cursor" && name != "_offset") s.used.emplace_back(name, value);
      continue;
    }
    if (strict) return Status::InvalidArgument("not supported: " + *unsupported);
    s.ignored.push_back(*unsupported + " is not supported and was ignored");
  }
  if (s.query.patient_id.empty()) return Status::InvalidArgument("patient is required");
  if (s.query.codes.size() > kMaxCodes) {
    return Status::InvalidArgument("code: " + std::to_string(kMaxCodes) + " codes at most");
  }
  return s;
}

Result<EverythingSearch> ParseEverythingSearch(const ApiRequest& request) {
  static constexpr std::string_view kHeldTypes[] = {"Patient", "Device", "Observation"};
  EverythingSearch e;
  const bool strict = StrictHandling(request);
  for (const auto& [name, value] : request.query) {
    std::optional<std::string> unsupported;
    if (name == "_since") {
      auto since = ParseRfc3339Millis(value);
      if (!since.ok()) {
        return Status::InvalidArgument("_since: an instant such as 2026-12-07T09:00:00Z");
      }
      e.since_ms = *since;
    } else if (name == "_type") {
      for (auto& type : CommaList(value)) {
        if (std::find(std::begin(kHeldTypes), std::end(kHeldTypes), type) != std::end(kHeldTypes)) {
          e.types.insert(type);
        } else {
          e.warnings.push_back("_type " + type + ": this hub holds none");
        }
      }
      if (e.types.empty()) e.types.insert("");
    } else if (name == "_count") {
      VIGIL_ASSIGN_OR_RETURN(e.count, ParseCount(value, UINT32_MAX));
      e.count = std::clamp<uint64_t>(e.count, 1, kMaxCount);
    } else if (name == "_cursor") {
      VIGIL_ASSIGN_OR_RETURN(e.after, ParseCursor(value));
      continue;
    } else if (name != "_format" && name != "_pretty") {
      unsupported = "the parameter " + name;
    }
    if (!unsupported) {
      e.used.emplace_back(name, value);
      continue;
    }
    if (strict) return Status::InvalidArgument("not supported: " + *unsupported);
    e.warnings.push_back(*unsupported + " is not supported and was ignored");
  }
  if (e.types.empty()) e.types.insert(std::begin(kHeldTypes), std::end(kHeldTypes));
  return e;
}

}  // namespace vigil::api
