// The security officer's view of the audit ledger: the newest entries first, filtered by type,
// user, patient, device and time (failed sign-ins included, with the names tried). Entries carry
// ids, reasons and digests, never health data (ledger/entry.h).
#include <algorithm>

#include "console/pages.h"
#include "core/time_format.h"
#include "ledger/entry.h"

namespace vigil::console {
namespace {

constexpr uint64_t kPage = 500;
constexpr uint64_t kScannedAtMost = 50'000;  // entries read back from the newest, a request
constexpr size_t kShownAtMost = 300;

Html Filter(std::string_view label, std::string_view name, const std::string& value) {
  Html h;
  h << "<label for=\"f-";
  h.Text(name);
  h << "\">";
  h.Text(label);
  h << "</label> <input id=\"f-";
  h.Text(name);
  h << "\" name=\"";
  h.Text(name);
  h << "\" value=\"";
  h.Text(value);
  h << "\"> ";
  return h;
}

}  // namespace

api::HttpReply AuditPage(const PageContext& page) {
  if (!page.context
           .Require(page.request, page.session, access::Action::kManageAlerts, "", "console:audit")
           .ok()) {
    return ErrorPage(page, 403, "The audit ledger viewer is for security officers.");
  }
  const auto param = [&](const char* name) { return page.request.Param(name).value_or(""); };
  const std::string type = param("type"), user = param("user"), patient = param("patient"),
                    device = param("device"), since = param("since");
  std::optional<int64_t> since_ms;
  if (!since.empty()) {
    auto parsed = ParseRfc3339Millis(since);
    if (!parsed.ok()) return ErrorPage(page, 400, "'Since' is a time like 2026-12-07T09:00:00Z.");
    since_ms = *parsed;
  }
  auto size = page.context.deps.store.LedgerSize();
  if (!size.ok()) return ErrorPage(page, 503, "The ledger could not be read.");
  struct Shown {
    uint64_t index;
    events::AuditRecord entry;
  };
  std::vector<Shown> shown;
  uint64_t end = *size, scanned = 0;
  bool older = false;  // stopped at `since`
  while (end > 0 && scanned < kScannedAtMost && shown.size() < kShownAtMost && !older) {
    const uint64_t from = end > kPage ? end - kPage : 0;
    auto entries = page.context.deps.store.LedgerEntries(from, end - from);
    if (!entries.ok()) return ErrorPage(page, 503, "The ledger could not be read.");
    for (uint64_t i = entries->size(); i-- > 0 && shown.size() < kShownAtMost;) {
      auto entry = ledger::DecodeEntry((*entries)[i]);
      if (!entry.ok()) continue;
      if (since_ms && entry->time_ms < *since_ms) {
        older = true;
        break;
      }
      if (!type.empty() && ledger::EntryTypeName(entry->type) != type) continue;
      const events::EntrySubjects named = events::SubjectsOf(*entry);
      if (!user.empty() && named.user != user && named.by != user) continue;
      if (!patient.empty() && named.patient != patient) continue;
      if (!device.empty() && named.device != device) continue;
      shown.push_back({from + i, std::move(*entry)});
    }
    scanned += end - from;
    end = from;
  }
  Html body;
  body << "<form class=\"filters\" method=\"get\" action=\"/console/audit\">"
       << Filter("Type", "type", type) << Filter("User", "user", user)
       << Filter("Patient", "patient", patient) << Filter("Device", "device", device)
       << Filter("Since", "since", since)
       << "<button type=\"submit\">Filter</button></form><p>Newest first; ";
  body.Int(static_cast<int64_t>(*size));
  body << " entries in the ledger, the newest ";
  body.Int(static_cast<int64_t>(scanned));
  body << " searched. Types: <code>login</code> (sign-ins, failed ones with the name tried), "
          "<code>access</code>, <code>alert_status_changed</code>, <code>device_released</code>, "
          "... (docs/ledger.md).</p><table><thead><tr><th scope=\"col\">#</th>"
          "<th scope=\"col\">When</th><th scope=\"col\">Type</th><th scope=\"col\">Fields</th>"
          "</tr></thead><tbody>";
  for (const auto& s : shown) {
    body << "<tr><td>";
    body.Int(static_cast<int64_t>(s.index));
    body << "</td><td>";
    body.Time(s.entry.time_ms) << "</td><td>";
    body.Text(ledger::EntryTypeName(s.entry.type));
    body << "</td><td>";
    bool first = true;
    for (const auto& [k, v] : s.entry.fields) {
      if (k == "digest") continue;  // bytes, for verifiers
      if (!first) body.Text("; ");
      first = false;
      body.Text(k).Text("=").Text(v);
    }
    body << "</td></tr>";
  }
  body << "</tbody></table>";
  if (shown.empty()) body << "<p>No entry matches.</p>";
  return page.Page("Audit ledger", body);
}

}  // namespace vigil::console
