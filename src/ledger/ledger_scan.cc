#include "ledger/ledger_scan.h"

namespace vigil::ledger {
namespace {

constexpr int64_t kSlackMs = 60'000;  // how far out of time order an entry may be appended
constexpr uint64_t kPage = 1000;

Result<int64_t> EntryTime(store::LedgerStore& store, uint64_t index) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> bytes, store.LedgerEntries(index, 1));
  if (bytes.empty()) return Status::DataLoss("ledger entry " + std::to_string(index) + " missing");
  auto entry = DecodeEntry(bytes[0]);
  if (!entry.ok()) {
    return Status::DataLoss("ledger entry " + std::to_string(index) +
                            " does not decode: " + entry.status().message());
  }
  return entry->time_ms;
}

}  // namespace

Status ScanLedgerByTime(store::LedgerStore& store, int64_t from_ms, int64_t to_ms,
                        const std::function<void(const ScannedEntry&)>& visit) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, store.LedgerSize());
  // The first entry recorded at or after from - slack.
  uint64_t lo = 0, hi = size;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    VIGIL_ASSIGN_OR_RETURN(int64_t t, EntryTime(store, mid));
    if (t < from_ms - kSlackMs) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  for (uint64_t index = lo; index < size;) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> page, store.LedgerEntries(index, kPage));
    if (page.empty()) break;
    for (const std::string& bytes : page) {
      auto entry = DecodeEntry(bytes);
      if (!entry.ok()) {
        return Status::DataLoss("ledger entry " + std::to_string(index) +
                                " does not decode: " + entry.status().message());
      }
      if (entry->time_ms > to_ms + kSlackMs) return Status::Ok();
      if (entry->time_ms >= from_ms && entry->time_ms <= to_ms) {
        visit({index, std::move(*entry)});
      }
      ++index;
    }
  }
  return Status::Ok();
}

}  // namespace vigil::ledger
