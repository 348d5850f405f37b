// The patient's pages: their own vitals, who read their data and when (the accounting of
// disclosures, from the audit ledger), and a plain-language page on privacy and security that
// everyone can read.
#include <algorithm>

#include "console/pages.h"
#include "console/vitals_view.h"
#include "events/audit_records.h"
#include "ledger/entry.h"

namespace vigil::console {
namespace {

constexpr int kVitalsHours = 72;
constexpr uint64_t kLedgerEntriesRead = 5000;
constexpr size_t kReadersShown = 200;

// What a ledger access decision means, in words.
std::string_view Described(const events::audit::Access& a) {
  if (a.decision == "denied") return "tried to read, and was refused";
  if (a.decision == "break-glass") return "opened in an emergency (break-glass), with a reason";
  return "read";
}

}  // namespace

OwnRecord AuthorizeOwnRecord(const PageContext& page, access::Action action,
                             const std::string& resource) {
  const std::string& patient_id = page.session.who.patient_id;
  if (page.session.who.role != access::Role::kPatient || patient_id.empty()) {
    return ErrorPage(page, 403, "This page is for patients.");
  }
  auto decision = page.context.Authorize(page.request, page.session, action, patient_id, resource);
  if (!decision.ok()) return UndecidedPage(page, decision.status());
  if (!decision->allowed()) return ErrorPage(page, 403, "Your record cannot be shown.");
  return patient_id;
}

api::HttpReply MyVitals(const PageContext& page) {
  auto own = AuthorizeOwnRecord(page, access::Action::kReadObservations, "console:my-vitals");
  if (auto* refused = std::get_if<api::HttpReply>(&own)) return std::move(*refused);
  const std::string& patient_id = std::get<std::string>(own);
  auto vitals = VitalsView(page.context, page.request, page.session, patient_id, kVitalsHours);
  if (!vitals.ok()) return ErrorPage(page, 503, "Your readings could not be read.");
  Html body;
  body << "<p>Readings your devices sent, as your care team sees them. A reading marked doubtful "
          "is one the hub could not trust (for example a device behaving unlike itself); your "
          "care team checks before acting on it.</p>"
       << *vitals;
  return page.Page("My vitals", body);
}

api::HttpReply ReadersPage(const PageContext& page) {
  auto own = AuthorizeOwnRecord(page, access::Action::kReadAuditEvents, "console:readers");
  if (auto* refused = std::get_if<api::HttpReply>(&own)) return std::move(*refused);
  const std::string& patient_id = std::get<std::string>(own);
  auto stored = page.context.deps.store.LedgerEntriesAbout(patient_id, kLedgerEntriesRead);
  if (!stored.ok()) return ErrorPage(page, 503, "The audit ledger could not be read.");
  struct Read {
    int64_t time_ms;
    events::audit::Access access;
  };
  std::vector<Read> reads;
  for (const auto& s : *stored) {
    auto entry = ledger::DecodeEntry(s.entry);
    if (!entry.ok()) continue;
    auto access = events::As<events::audit::Access>(*entry);
    if (!access || access->patient != patient_id) continue;
    if (access->user == page.session.who.username) continue;  // their own looks
    reads.push_back({entry->time_ms, std::move(*access)});
  }
  std::reverse(reads.begin(), reads.end());  // newest first
  Html body;
  body << "<p>Every time someone at the hospital opens your data, Vigil writes it into a "
          "tamper-evident ledger. This is that record: who (by their role), when, and what. "
          "Staff are named to the hospital's privacy officer, who can tell you more.</p>"
          "<table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th>"
          "<th scope=\"col\">What happened</th><th scope=\"col\">What</th></tr></thead><tbody>";
  size_t shown = 0;
  for (const auto& r : reads) {
    if (shown++ >= kReadersShown) break;
    body << "<tr><td>";
    body.Time(r.time_ms) << "</td><td>";
    body.Text(r.access.role.empty() ? "staff" : r.access.role);
    body << "</td><td>";
    body.Text(Described(r.access));
    body << "</td><td>";
    body.Text(r.access.action);
    body << "</td></tr>";
  }
  body << "</tbody></table>";
  if (reads.empty()) body << "<p>Nobody else has opened your data yet.</p>";
  return page.Page("Who read my data", body);
}

api::HttpReply PrivacyPage(const std::optional<Viewer>& viewer, int64_t idle_logout_s) {
  Html body;
  body << "<h2>What Vigil collects, and why</h2>"
          "<p>Your monitoring devices (for example a pulse oximeter or a blood-pressure cuff) "
          "send their measurements to Vigil so that your care team can see them. Vigil keeps "
          "the measurements, which device sent them and when. It does not collect anything "
          "else from the devices.</p>"
          "<h2>How it is protected</h2><ul>"
          "<li>Devices talk to Vigil over an encrypted connection, and each device proves who it "
          "is with its own certificate: another device cannot send readings in your name.</li>"
          "<li>Your readings are stored encrypted with a key of your own. Erasing your data "
          "destroys that key.</li>"
          "<li>Only your care team can open your record. Anyone else who opens it in an "
          "emergency must give a reason, and the security officer reviews it.</li>"
          "<li>Every time someone opens your data it is written into a ledger that cannot be "
          "changed without it showing. You can see it under <em>Who read my data</em>.</li>"
          "<li>Vigil watches for attacks (stolen passwords, devices that behave strangely, "
          "falsified readings) and marks readings it doubts so nobody acts on them unchecked."
          "</li></ul>"
          "<h2>How to protect your account and devices</h2><ul>"
          "<li>Use a long password you use nowhere else, and keep the authenticator app on a "
          "phone only you use.</li>"
          "<li>Vigil never asks for your password or code by e-mail or phone. If someone does, "
          "it is not us: tell the hospital.</li>"
          "<li>Sign out on shared computers. Vigil signs you out by itself after ";
  body.Int(idle_logout_s / 60);
  body << " minutes without use.</li>"
          "<li>Keep your devices with you, charged and updated; if one is lost or behaves "
          "oddly, tell your care team so it can be blocked.</li></ul>"
          "<h2>Your rights</h2><p>You can see who read your data, and ask the hospital for a "
          "copy of your data or for it to be erased.</p>";
  return PageReply(viewer, "Privacy and security", body, 200, idle_logout_s);
}

}  // namespace vigil::console
