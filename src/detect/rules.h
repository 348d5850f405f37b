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

class Rule {
 public:
  virtual ~Rule() = default;
  virtual void Observe(const SecurityEvent& event, const AlertSink& raise) = 0;

  // What the rule learnt that a restart must not wipe (a fresh start is an attacker's gift):
  // its name in the store ("" for a rule that keeps nothing: its windows last a minute), and
  // the state as JSON. RestoreState takes what SaveState gave; it ignores what it cannot read.
  virtual std::string StateName() const { return {}; }
  virtual std::string SaveState() const { return {}; }
  virtual void RestoreState(std::string_view /*state*/) {}
};

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
