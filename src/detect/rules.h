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
};

// The thresholds, as configured in `[detect]` (detect/detect_options.h lists them with defaults).
using RuleSettings = DetectOptions;

inline int64_t WindowMs(const RuleSettings& s) { return s.window_seconds * 1000; }

// A new alert at `now_ms` (first and last seen), for the rules to raise.
Alert MakeAlert(AlertKind kind, Severity severity, Entity entity, std::string technique,
                std::string summary, int64_t now_ms, std::map<std::string, std::string> evidence);

// The default rule set.
std::vector<std::unique_ptr<Rule>> DefaultRules(const RuleSettings& settings);

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
