// `vigil recover`: when the database came back behind the hub's last signed checkpoint (a
// damaged write-ahead log, a copy of a running hub), says exactly what is known to be lost — the
// ledger entries, the time window, each device's acknowledged sequence numbers — and, with
// --accept-loss, records the loss in the ledger, refuses replays of the lost sequence numbers,
// and signs the ledger as it now stands, so the hub can start again without a silent fork.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "admin/hub_admin.h"
#include "admin/hub_integrity.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/time_format.h"
#include "events/audit_records.h"
#include "ledger/ledger_key.h"
#include "ledger/signed_head.h"

namespace vigil::cli {
namespace {

using nlohmann::json;

struct LostRange {
  std::string device;
  uint64_t first = 0, last = 0;  // sequence numbers acknowledged and no longer stored
};

struct LossReport {
  uint64_t stored_entries = 0, signed_entries = 0;
  int64_t last_kept_ms = 0, signed_ms = 0;
  std::vector<LostRange> devices;
  uint64_t messages = 0;  // how many sequence numbers the ranges hold (messages at most)
};

Result<LossReport> MeasureLoss(admin::AdminHub& hub, const ledger::SignedHead& head) {
  LossReport r;
  r.stored_entries = hub.ledger->size();
  r.signed_entries = head.checkpoint.size;
  r.signed_ms = head.signed_ms;
  if (r.stored_entries > 0) {
    VIGIL_ASSIGN_OR_RETURN(auto last, hub.store->LedgerEntries(r.stored_entries - 1, 1));
    if (!last.empty()) {
      VIGIL_ASSIGN_OR_RETURN(auto entry, ledger::DecodeEntry(last.front()));
      r.last_kept_ms = entry.time_ms;
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const auto devices, hub.store->ListDevices());  // one read, not one each
  std::map<std::string, uint64_t> stored_seq;
  for (const auto& d : devices) stored_seq[d.id] = d.last_seq;
  for (const auto& [device, signed_seq] : head.device_last_seq) {
    const auto it = stored_seq.find(device);
    const uint64_t kept = it == stored_seq.end() ? 0 : it->second;
    if (kept >= signed_seq) continue;
    r.devices.push_back({device, kept + 1, signed_seq});
    r.messages += signed_seq - kept;
  }
  return r;
}

json ReportJson(const LossReport& r) {
  json devices = json::array();
  for (const auto& d : r.devices) {
    devices.push_back({{"device", d.device}, {"first_seq", d.first}, {"last_seq", d.last}});
  }
  return {
      {"ledger_entries_stored", r.stored_entries},
      {"ledger_entries_signed", r.signed_entries},
      {"lost_entries", {{"first", r.stored_entries}, {"last", r.signed_entries - 1}}},
      {"window",
       {{"from", FormatRfc3339Millis(r.last_kept_ms)}, {"to", FormatRfc3339Millis(r.signed_ms)}}},
      {"devices", std::move(devices)},
      {"messages_at_most", r.messages}};
}

void PrintReport(const LossReport& r) {
  std::cout << "The database holds " << r.stored_entries << " ledger entries; the hub signed "
            << r.signed_entries << " at " << FormatRfc3339Millis(r.signed_ms) << ".\n"
            << "Lost: ledger entries " << r.stored_entries << ".." << r.signed_entries - 1
            << ", written between " << FormatRfc3339Millis(r.last_kept_ms) << " and "
            << FormatRfc3339Millis(r.signed_ms) << ".\n";
  if (r.devices.empty()) {
    std::cout << "No device's acknowledged readings are among them.\n";
  } else {
    std::cout << "Readings acknowledged to devices and no longer stored (" << r.devices.size()
              << " devices, at most " << r.messages << " messages):\n";
    for (const auto& d : r.devices) {
      std::cout << "  " << d.device << "  sequence numbers " << d.first << ".." << d.last << "\n";
    }
  }
}

std::string DeviceRanges(const LossReport& r) {
  std::string out;
  for (const auto& d : r.devices) {
    out += (out.empty() ? "" : ",") + d.device + ":" + std::to_string(d.first) + ".." +
           std::to_string(d.last);
  }
  return out;
}

Status AcceptLoss(admin::AdminHub& hub, const LossReport& r, const HubLayout& layout) {
  for (const auto& d : r.devices) {  // a copy of a lost message must not be taken again
    VIGIL_RETURN_IF_ERROR(hub.store->RaiseLastSequence(d.device, d.last));
  }
  const int64_t now = SystemClock::Instance().NowMillis();
  VIGIL_RETURN_IF_ERROR(hub.ledger->Append({events::Record(
      now, events::audit::DataLoss{.lost_entries = std::to_string(r.stored_entries) + ".." +
                                                   std::to_string(r.signed_entries - 1),
                                   .signed_size = r.signed_entries,
                                   .signed_at = FormatRfc3339Millis(r.signed_ms),
                                   .last_kept_at = FormatRfc3339Millis(r.last_kept_ms),
                                   .devices = DeviceRanges(r),
                                   .messages = r.messages,
                                   .by = admin::OperatorIdentity()})}));
  // The old head stays beside the data, for the record; the new one is the ledger as it is.
  const std::string kept = layout.ledger_head() + ".lost-" + std::to_string(now);
  if (::rename(layout.ledger_head().c_str(), kept.c_str()) != 0) {
    return Status::IoError("cannot move " + layout.ledger_head() + " to " + kept);
  }
  VIGIL_ASSIGN_OR_RETURN(auto key, ledger::LoadOrCreateLedgerKey(layout, LedgerOriginOf(hub.config),
                                                                 hub.config.hub_name));
  VIGIL_RETURN_IF_ERROR(ledger::AdoptOrigin(layout, *hub.ledger, key, now));
  VIGIL_ASSIGN_OR_RETURN(
      auto made, ledger::MakeRememberedCheckpoint(*hub.ledger, *hub.store, layout.ledger_head(),
                                                  key.key.name, key.key, now));
  std::cout << "Recorded the loss as ledger entry " << made.size - 1 << " and signed the ledger at "
            << made.size << " entries (the superseded checkpoint "
            << "is kept in " << kept << "). The hub can start.\n";
  return Status::Ok();
}

}  // namespace

Status RunRecover(const std::string& data_dir, bool accept_loss) {
  const HubLayout layout(data_dir);
  VIGIL_RETURN_IF_ERROR(admin::CheckHubPresent(layout));
  auto lock = FileLock::Acquire(layout.serve_lock());
  if (!lock.ok()) {
    return Status::Unavailable("stop the hub first: " + lock.status().message());
  }
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(admin::CheckDatabaseStructure(*hub.store));
  VIGIL_ASSIGN_OR_RETURN(const std::string vkey, admin::ReadVerifierKey(layout));
  VIGIL_ASSIGN_OR_RETURN(auto head, ledger::ReadSignedHead(layout.ledger_head(), vkey));
  if (!head || hub.ledger->size() >= head->checkpoint.size) {
    VIGIL_RETURN_IF_ERROR(admin::CheckLedgerHead(layout, *hub.ledger, vkey));
    std::cout << "Nothing to recover: the database holds the hub's last signed checkpoint ("
              << (head ? head->checkpoint.size : 0) << " entries).\n";
    return Status::Ok();
  }
  VIGIL_ASSIGN_OR_RETURN(const LossReport report, MeasureLoss(hub, *head));
  PrintReport(report);
  const std::string report_path =
      layout.root + "/recovery-" + std::to_string(SystemClock::Instance().NowMillis()) + ".json";
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(report_path, ReportJson(report).dump(2) + "\n", 0600));
  std::cout << "Report written to " << report_path << "\n";
  if (!accept_loss) {
    std::cout << "Nothing was changed. To keep this database (restoring a backup is the "
                 "alternative), run again with --accept-loss: the loss is recorded in the "
                 "ledger, the lost sequence numbers are refused as replays, and the ledger is "
                 "signed as it stands.\n";
    return Status::Ok();
  }
  return AcceptLoss(hub, report, layout);
}

}  // namespace vigil::cli
