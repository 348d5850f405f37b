// Whether the hub can take in and keep new data now, and if not, why: set by whoever watches a
// resource (free disk space, the store's commits), read by the ingest paths and by /healthz and
// /readyz. Thread-safe; `ready()` is one atomic load.
#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <string>

namespace vigil {

class Readiness {
 public:
  enum class Cause { kDiskSpace, kStoreWrites, kCount };

  // Not ready for `cause`, with a reason an operator can act on (no secrets, no health data).
  void Set(Cause cause, std::string reason) {
    std::lock_guard lock(mu_);
    reasons_[static_cast<size_t>(cause)] = std::move(reason);
    Update();
  }
  void Clear(Cause cause) {
    if (!Has(cause)) return;
    std::lock_guard lock(mu_);
    reasons_[static_cast<size_t>(cause)].clear();
    Update();
  }
  bool ready() const { return causes_.load(std::memory_order_relaxed) == 0; }
  bool Has(Cause cause) const {
    return (causes_.load(std::memory_order_relaxed) >> static_cast<unsigned>(cause)) & 1u;
  }
  // The reasons, joined with "; " (empty when ready).
  std::string Reasons() const {
    std::lock_guard lock(mu_);
    std::string all;
    for (const auto& r : reasons_) {
      if (!r.empty()) all += (all.empty() ? "" : "; ") + r;
    }
    return all;
  }

 private:
  void Update() {  // with mu_ held
    unsigned bits = 0;
    for (size_t i = 0; i < reasons_.size(); ++i) {
      if (!reasons_[i].empty()) bits |= 1u << i;
    }
    causes_.store(bits, std::memory_order_relaxed);
  }

  mutable std::mutex mu_;
  std::array<std::string, static_cast<size_t>(Cause::kCount)> reasons_;
  std::atomic<unsigned> causes_{0};
};

}  // namespace vigil
