// The dashboard's sections about the hub's own health: devices gone silent and certificates
// about to expire (from what the hubs store of each device's activity), this hub's ingest over
// the last hour (a chart and refusals by reason), and the audit ledger's latest signed
// checkpoint and last verification. No health data.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "console/pages.h"
#include "console/svg_chart.h"
#include "ledger/proof_json.h"

namespace vigil::console {
namespace {

constexpr int64_t kSilentAfterMs = 3'600'000;          // an hour without a message
constexpr int64_t kExpiresSoonMs = 30LL * 86'400'000;  // 30 days
constexpr size_t kListed = 10;

Html DeviceList(const std::vector<std::pair<const store::DeviceRecord*, int64_t>>& rows,
                Literal when_heading, Literal never) {
  Html h;
  h << "<table><thead><tr><th scope=\"col\">Device</th><th scope=\"col\">Type</th>"
       "<th scope=\"col\">"
    << when_heading << "</th></tr></thead><tbody>";
  for (size_t i = 0; i < rows.size() && i < kListed; ++i) {
    h << "<tr>";
    h.Cell(rows[i].first->id).Cell(rows[i].first->type) << "<td>";
    if (rows[i].second > 0) {
      h.Time(rows[i].second);
    } else {
      h << never;
    }
    h << "</td></tr>";
  }
  h << "</tbody></table>";
  return h;
}

}  // namespace

Html Tile(std::string_view label, int64_t n) {
  Html h;
  h << "<div class=\"tile\"><span class=\"n\">";
  h.Int(n);
  h << "</span>";
  h.Text(label);
  h << "</div>";
  return h;
}

Html DeviceHealthSection(const std::vector<store::DeviceRecord>& devices,
                         const std::vector<store::DeviceActivity>& activity, int64_t now_ms) {
  std::unordered_map<std::string_view, const store::DeviceActivity*> by_id;
  for (const auto& a : activity) by_id[a.device_id] = &a;
  std::vector<std::pair<const store::DeviceRecord*, int64_t>> silent, expiring;
  int64_t unknown_end = 0;
  for (const auto& d : devices) {
    if (d.status == store::DeviceStatus::kRevoked || d.quarantined) continue;
    const auto found = by_id.find(d.id);
    const store::DeviceActivity* a = found == by_id.end() ? nullptr : found->second;
    const int64_t seen = a ? a->last_seen_ms : 0;
    if (seen < now_ms - kSilentAfterMs && d.enrolled_ms < now_ms - kSilentAfterMs) {
      silent.emplace_back(&d, seen);
    }
    if (!a || a->cert_not_after_ms == 0) {
      ++unknown_end;
    } else if (a->cert_not_after_ms < now_ms + kExpiresSoonMs) {
      expiring.emplace_back(&d, a->cert_not_after_ms);
    }
  }
  std::sort(silent.begin(), silent.end(), [](auto& x, auto& y) { return x.second < y.second; });
  std::sort(expiring.begin(), expiring.end(), [](auto& x, auto& y) { return x.second < y.second; });
  Html h;
  h << "<div class=\"tiles\">"
    << Tile("silent for an hour or more", static_cast<int64_t>(silent.size()))
    << Tile("certificates ending within 30 days", static_cast<int64_t>(expiring.size()))
    << Tile("certificate end not known yet", unknown_end) << "</div>";
  if (!silent.empty()) {
    h << "<h3>Silent devices (longest first)</h3>"
      << DeviceList(silent, "Last heard from", "never");
  }
  if (!expiring.empty()) {
    h << "<h3>Certificates ending soon</h3>" << DeviceList(expiring, "Valid until", "unknown");
  }
  return h;
}

Html IngestSection(const std::vector<ingest::IngestSample>& samples) {
  Html h;
  h << "<h2>Ingest on this hub, the last hour</h2>";
  if (samples.empty()) {
    h << "<p>No sample yet: the hub takes one every 10 seconds.</p>";
    return h;
  }
  ChartSeries accepted{"accepted", {}}, refused{"refused", {}};
  std::map<std::string, uint64_t> by_reason;
  uint64_t total_accepted = 0, total_refused = 0;
  for (const auto& s : samples) {
    const double per_minute = s.span_ms > 0 ? 60'000.0 / static_cast<double>(s.span_ms) : 0;
    accepted.points.push_back({s.time_ms, static_cast<double>(s.accepted) * per_minute, false});
    refused.points.push_back({s.time_ms, static_cast<double>(s.refused) * per_minute, false});
    total_accepted += s.accepted;
    total_refused += s.refused;
    for (const auto& [reason, n] : s.refused_by_reason) by_reason[reason] += n;
  }
  h << "<p>Messages a minute: accepted (blue line), refused (orange line). ";
  h.Int(static_cast<int64_t>(total_accepted));
  h << " accepted and ";
  h.Int(static_cast<int64_t>(total_refused));
  h << " refused since ";
  h.Time(samples.front().time_ms - samples.front().span_ms)
      << ".</p>"
      << LineChart("Messages accepted and refused a minute", "a minute", {accepted, refused});
  if (!by_reason.empty()) {
    h << "<table><thead><tr><th scope=\"col\">Refused because</th><th scope=\"col\">How many"
         "</th></tr></thead><tbody>";
    for (const auto& [reason, n] : by_reason) {
      h << "<tr>";
      h.Cell(reason).Cell(std::to_string(n)) << "</tr>";
    }
    h << "</tbody></table>";
  }
  return h;
}

Html LedgerSection(store::Store& store) {
  Html h;
  h << "<h2>Audit ledger</h2>";
  auto checkpoint = ledger::LatestCheckpoint(store);
  if (checkpoint.ok()) {
    h << "<p>Latest signed checkpoint: ";
    h.Int(static_cast<int64_t>(checkpoint->size));
    h << " entries, signed ";
    h.Time(checkpoint->created_ms) << ".</p>";
  } else {
    h << "<p>No signed checkpoint yet.</p>";
  }
  auto verified = store.LatestIntegrityCheck();
  if (verified.ok() && *verified) {
    h << "<p>Last verified (<code>vigil verify</code> passed): ";
    h.Time((*verified)->checked_ms) << ", ";
    h.Int(static_cast<int64_t>((*verified)->ledger_size));
    h << " entries, by ";
    h.Text((*verified)->by);
    h << ".</p>";
  } else {
    h << "<p class=\"notice\">The ledger has not been verified yet: run <code>vigil verify "
         "--data-dir &lt;hub&gt;</code> (it checks every entry, checkpoint and stored reading)."
         "</p>";
  }
  return h;
}

}  // namespace vigil::console
