#include "respond/case_json.h"

#include "core/time_format.h"

namespace vigil::respond {

using nlohmann::json;

json AlertJson(const store::AlertRecord& a) {
  json evidence = json::parse(a.evidence_json, nullptr, false);
  return {{"id", a.id},
          {"kind", a.kind},
          {"severity", a.severity},
          {"entity", a.entity},
          {"technique", a.technique},
          {"summary", a.summary},
          {"evidence", evidence.is_discarded() ? json::object() : evidence},
          {"first_seen", FormatRfc3339Millis(a.first_ms)},
          {"last_seen", FormatRfc3339Millis(a.last_ms)},
          {"count", a.count},
          {"status", a.status},
          {"note", a.note},
          {"incident", a.incident_id}};
}

json IncidentJson(const store::IncidentRecord& i) {
  return {{"id", i.id},
          {"title", i.title},
          {"severity", i.severity},
          {"status", i.status},
          {"entities", i.entities},
          {"first_seen", FormatRfc3339Millis(i.first_ms)},
          {"last_seen", FormatRfc3339Millis(i.last_ms)},
          {"note", i.note}};
}

json IncidentDetailJson(const store::IncidentRecord& incident,
                        const std::vector<store::AlertRecord>& alerts,
                        const std::vector<store::IncidentEvent>& timeline) {
  json out = IncidentJson(incident);
  out["alerts"] = json::array();
  for (const auto& a : alerts) out["alerts"].push_back(AlertJson(a));
  out["timeline"] = json::array();
  for (const auto& e : timeline) {
    json line = {{"time", FormatRfc3339Millis(e.time_ms)}, {"what", e.what}, {"detail", e.detail}};
    if (e.alert_id != 0) line["alert"] = e.alert_id;
    out["timeline"].push_back(std::move(line));
  }
  return out;
}

}  // namespace vigil::respond
