// Detection rules: each watches the event stream and raises alerts through the sink.
// Rules run on the engine's one thread: no locking inside. Thresholds are configurable
// (`[detect]` in config.toml) with the defaults below.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "detect/detect_options.h"
#include "events/alert.h"
#include "events/security_event.h"

namespace vigil::detect {

using events::Alert;
using events::AlertKind;
using events::Entity;
using events::EventKind;
using events::SecurityEvent;
using events::Severity;

using AlertSink = std::function<void(Alert)>;

// A set of event kinds, one bit each.
using KindSet = uint32_t;
constexpr KindSet KindBit(EventKind kind) { return KindSet{1} << static_cast<int>(kind); }
template <typename... Kinds>
constexpr KindSet KindsOf(Kinds... kinds) {
  return (KindBit(kinds) | ...);
}
static_assert(events::kEventKindCount <= 32);

class Rule {
 public:
  virtual ~Rule() = default;
  // The kinds of event the rule looks at: the engine hands it only those (a reading passes
  // through the rules that watch readings, not every rule).
  virtual KindSet Watches() const = 0;
  virtual void Observe(const SecurityEvent& event, const AlertSink& raise) = 0;

  // What the rule learnt that a restart must not wipe (a fresh start is an attacker's gift):
  // its name in the store ("" for a rule that keeps nothing: its windows last a minute), and
  // the state as JSON. RestoreState takes what SaveState gave and keeps what it can read; it
  // says DataLoss when it had to leave some or all of it (those entries learn anew).
  virtual std::string StateName() const { return {}; }
  virtual std::string SaveState() const { return {}; }
  virtual Status RestoreState(std::string_view /*state*/) { return Status::Ok(); }
};

// What RestoreState says when `skipped` of `entries` saved entries could not be read (or the
// whole state, when `entries` is 0).
Status UnreadableState(size_t skipped, size_t entries);

// The thresholds, as configured in `[detect]` (detect/detect_options.h lists them with defaults).
using RuleSettings = DetectOptions;

inline int64_t WindowMs(const RuleSettings& s) { return s.window_seconds * 1000; }

// A new alert at `now_ms` (first and last seen), for the rules to raise.
Alert MakeAlert(AlertKind kind, Severity severity, Entity entity, std::string technique,
                std::string summary, int64_t now_ms, std::map<std::string, std::string> evidence);

// The default rule set.
std::vector<std::unique_ptr<Rule>> DefaultRules(const RuleSettings& settings);

// How much each key added within a sliding window (by default one per call: a count); keys
// idle for longer than the window are dropped once there are many (bounds memory).
class CountInWindow {
 public:
  explicit CountInWindow(int64_t window_ms) : window_ms_(window_ms) {}
  size_t Add(const std::string& key, int64_t now_ms, size_t amount = 1) {
    Sum& sum = keys_[key];
    sum.events.emplace_back(now_ms, amount);
    sum.total += amount;
    while (!sum.events.empty() && sum.events.front().first <= now_ms - window_ms_) {
      sum.total -= sum.events.front().second;
      sum.events.pop_front();
    }
    const size_t total = sum.total;
    if (keys_.size() > kMaxKeys) Prune(now_ms);
    return total;
  }

 private:
  struct Sum {
    std::deque<std::pair<int64_t, size_t>> events;
    size_t total = 0;
  };
  static constexpr size_t kMaxKeys = 100'000;
  void Prune(int64_t now_ms) {
    std::erase_if(keys_, [&](const auto& k) {
      return k.second.events.empty() || k.second.events.back().first <= now_ms - window_ms_;
    });
  }
  int64_t window_ms_;
  std::unordered_map<std::string, Sum> keys_;
};

// Counts distinct values per key within a sliding window (the building block of the rules).
class DistinctInWindow {
 public:
  explicit DistinctInWindow(int64_t window_ms) : window_ms_(window_ms) {}
  // Records `value` for `key` at `now_ms`; how many distinct values the key has in the window.
  size_t Add(const std::string& key, const std::string& value, int64_t now_ms);
  // Drops keys idle for longer than the window (bounds memory).
  void Prune(int64_t now_ms);

 private:
  struct Seen {
    std::deque<std::pair<int64_t, std::string>> events;
    std::unordered_map<std::string, int> counts;
  };
  int64_t window_ms_;
  std::unordered_map<std::string, Seen> keys_;
};

}  // namespace vigil::detect
