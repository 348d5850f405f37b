// The breach report's two renderings: JSON for machines, Markdown for people.
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/json_string.h"
#include "core/time_format.h"
#include "respond/breach_report.h"

namespace vigil::respond {
namespace {

using nlohmann::json;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kHipaaLargeBreach = 500;  // 164.408(b): at or above, HHS hears with the patients

// The end of the calendar year `ms` falls in, plus 60 days (164.408(c): breaches of fewer than
// 500 people are reported to HHS within 60 days of the end of the year they were discovered in).
int64_t EndOfYearPlus60Days(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::tm dec31{};
  dec31.tm_year = utc.tm_year;
  dec31.tm_mon = 11;
  dec31.tm_mday = 31;
  return static_cast<int64_t>(timegm(&dec31)) * 1000 + 60 * kDayMs;
}

struct Deadlines {
  int64_t individuals, hhs, authority;
  bool large;
};

Deadlines DeadlinesOf(const BreachReport& r) {
  const bool large = static_cast<int64_t>(r.patients.size()) >= kHipaaLargeBreach;
  return {r.discovered_ms + 60 * kDayMs,
          large ? r.discovered_ms + 60 * kDayMs : EndOfYearPlus60Days(r.discovered_ms),
          r.discovered_ms + 72 * 3'600'000, large};
}

bool Viewed(const BreachReport& r) {
  for (const auto& p : r.patients) {
    if (p.reads > 0) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out.empty() ? "none" : out;
}

std::string Time(int64_t ms) { return FormatRfc3339Millis(ms); }

}  // namespace

std::string BreachReportJson(const BreachReport& r) {
  const Deadlines d = DeadlinesOf(r);
  json patients = json::array();
  for (const auto& p : r.patients) {
    patients.push_back({{"patient", p.patient_id},
                        {"reads", p.reads},
                        {"readings_at_risk", p.readings_at_risk},
                        {"by", p.by},
                        {"resources", p.resources},
                        {"ledger_indices", p.ledger_indices},
                        {"first", Time(p.first_ms)},
                        {"last", Time(p.last_ms)}});
  }
  json alerts = json::array();
  for (const auto& a : r.alerts) {
    alerts.push_back({{"id", a.id},
                      {"kind", a.kind},
                      {"severity", a.severity},
                      {"entity", a.entity},
                      {"technique", a.technique},
                      {"summary", a.summary},
                      {"first_seen", Time(a.first_ms)},
                      {"status", a.status}});
  }
  json timeline = json::array();
  for (const auto& e : r.timeline) {
    timeline.push_back({{"time", Time(e.time_ms)}, {"what", e.what}, {"detail", e.detail}});
  }
  json doc = {
      {"report", "breach"},
      {"incident",
       {{"id", r.incident.id},
        {"title", r.incident.title},
        {"severity", r.incident.severity},
        {"status", r.incident.status},
        {"entities", r.incident.entities}}},
      {"generated", Time(r.generated_ms)},
      {"period", {{"from", Time(r.from_ms)}, {"to", Time(r.to_ms)}}},
      {"discovered", Time(r.discovered_ms)},
      {"affected_patients", r.patients.size()},
      {"patients", patients},
      {"denied_reads", r.denied_reads},
      {"care_team_reads_left_out", r.care_team_reads},
      {"read_from_addresses", r.addresses},
      {"alerts", alerts},
      {"timeline", timeline},
      {"hipaa_risk_assessment",
       {{"nature_and_extent", {{"phi_types", r.phi_types}, {"patients", r.patients.size()}}},
        {"unauthorized_person", r.parties},
        {"acquired_or_viewed", Viewed(r) ? "viewed" : "not viewed (attempts refused or none)"},
        {"mitigation", r.mitigation},
        {"conclusion", "to be completed by the privacy officer"}}},
      {"deadlines",
       {{"hipaa_individuals", Time(d.individuals)},
        {"hipaa_hhs", Time(d.hhs)},
        {"hipaa_media", d.large ? json(Time(d.individuals))
                                : json("only if more than 500 "
                                       "residents of one state")},
        {"gdpr_supervisory_authority", Time(d.authority)},
        {"gdpr_data_subjects", "without undue delay, if the risk to them is high"}}}};
  return DumpJson(doc, 2);
}

std::string BreachReportMarkdown(const BreachReport& r) {
  const Deadlines d = DeadlinesOf(r);
  std::string md;
  md += "# Breach report: incident " + std::to_string(r.incident.id) + "\n\n";
  md += "- Incident: " + r.incident.title + " (" + r.incident.severity + ", " + r.incident.status +
        ")\n";
  md += "- Entities: " + Join(r.incident.entities) + "\n";
  md += "- Discovered: " + Time(r.discovered_ms) + "\n";
  md += "- Period examined: " + Time(r.from_ms) + " to " + Time(r.to_ms) + "\n";
  md += "- Generated: " + Time(r.generated_ms) + "\n\n";
  md += "## Affected patients (" + std::to_string(r.patients.size()) + ")\n\n";
  if (r.patients.empty()) {
    md += "No patient's data was read or put at risk in the period.\n";
  } else {
    md += "| patient | reads | readings at risk | by | first | last | ledger entries |\n";
    md += "|---|---|---|---|---|---|---|\n";
    for (const auto& p : r.patients) {
      std::vector<std::string> by(p.by.begin(), p.by.end()), indices;
      for (uint64_t i : p.ledger_indices) indices.push_back(std::to_string(i));
      md += "| " + p.patient_id + " | " + std::to_string(p.reads) + " | " +
            std::to_string(p.readings_at_risk) + " | " + Join(by) + " | " + Time(p.first_ms) +
            " | " + Time(p.last_ms) + " | " + Join(indices, " ") + " |\n";
    }
  }
  md += "\nReads refused by the access policy (nothing disclosed): " +
        std::to_string(r.denied_reads) + "\n";
  md += "Reads through the users' own care teams, left out (their job, not in question here): " +
        std::to_string(r.care_team_reads) + "\n";
  if (!r.addresses.empty()) {
    md += "Addresses the reads came from (not persons): " + Join(r.addresses) + "\n";
  }
  md += "\n";
  md += "## Timeline\n\n";
  for (const auto& e : r.timeline)
    md += "- " + Time(e.time_ms) + " " + e.what + ": " + e.detail + "\n";
  md += "\n## HIPAA risk assessment (45 CFR 164.402(2))\n\n";
  md += "1. Nature and extent of the PHI: " + Join(r.phi_types) + "; " +
        std::to_string(r.patients.size()) + " patients\n";
  md += "2. Unauthorized person who used it or received it: " + Join(r.parties) + "\n";
  md += std::string("3. Acquired or viewed: ") +
        (Viewed(r) ? "viewed" : "not viewed (attempts refused or none)") + "\n";
  md += "4. Extent mitigated: " + Join(r.mitigation, "; ") + "\n\n";
  md +=
      "Conclusion (low probability of compromise or not): to be completed by the privacy "
      "officer.\n\n";
  md += "## Notification deadlines\n\n";
  md += "- HIPAA, affected individuals (164.404): by " + Time(d.individuals) + "\n";
  md += "- HIPAA, HHS (164.408): by " + Time(d.hhs) +
        (d.large ? " (500 or more affected)" : " (fewer than 500: the annual log)") + "\n";
  md += "- HIPAA, media (164.406): " +
        (d.large ? "by " + Time(d.individuals) : "only if more than 500 residents of one state") +
        "\n";
  md += "- GDPR, supervisory authority (Art. 33): by " + Time(d.authority) + "\n";
  md += "- GDPR, data subjects (Art. 34): without undue delay, if the risk to them is high\n";
  return md;
}

}  // namespace vigil::respond
