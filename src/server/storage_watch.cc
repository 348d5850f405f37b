#include "server/storage_watch.h"

#include <spdlog/spdlog.h>

#include "core/files.h"

namespace vigil::server {
namespace {

constexpr int kReclaimEveryPolls = 10;  // while low: fold the WAL back every 10 s at most

std::string Megabytes(uint64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

}  // namespace

void StorageWatch::Poll() {
  if (min_free_bytes_ == 0) return;
  auto free = FreeBytes(data_dir_);
  if (!free.ok()) return;  // the store's own writes will say what is wrong
  const bool low = readiness_.Has(Readiness::Cause::kDiskSpace);
  if (!low && *free < min_free_bytes_) {
    const std::string reason = "disk nearly full: " + Megabytes(*free) + " free in " + data_dir_ +
                               ", below min_free_mb (" + Megabytes(min_free_bytes_) +
                               "); readings are refused until " + Megabytes(2 * min_free_bytes_) +
                               " are free";
    readiness_.Set(Readiness::Cause::kDiskSpace, reason);
    spdlog::error("not ready: {}", reason);
    polls_since_reclaim_ = kReclaimEveryPolls;
  } else if (low && *free >= 2 * min_free_bytes_) {
    readiness_.Clear(Readiness::Cause::kDiskSpace);
    spdlog::info("ready again: {} free in {}; taking readings", Megabytes(*free), data_dir_);
    return;
  }
  if (!readiness_.Has(Readiness::Cause::kDiskSpace)) return;
  if (++polls_since_reclaim_ < kReclaimEveryPolls) return;
  polls_since_reclaim_ = 0;
  if (Status s = store_.ReclaimSpace(); !s.ok()) {
    spdlog::warn("could not fold the write-ahead log back: {}", s.ToString());
  }
}

}  // namespace vigil::server
