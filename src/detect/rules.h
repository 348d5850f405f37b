// Detection rules (issue #6): each watches the event stream and raises alerts through the sink.
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

#include "detect/alert.h"
#include "detect/security_event.h"

namespace vigil::detect {

using AlertSink = std::function<void(Alert)>;

class Rule {
 public:
  virtual ~Rule() = default;
  virtual void Observe(const SecurityEvent& event, const AlertSink& raise) = 0;
};

struct RuleSettings {
  int64_t window_ms = 60'000;
  int refused_connections = 10;        // refused connections from one address in the window
  int failed_logins = 5;               // failures for one account in the window (brute force)
  int spray_accounts = 5;              // distinct accounts failing from one address (spraying)
  int stuffing_addresses = 5;          // distinct addresses failing for one account (stuffing)
  int clone_addresses = 2;             // distinct addresses one device connects from (clone)
  int flood_messages_per_second = 50;  // one device's readings (accepted or refused)
  int patients_touched = 20;           // distinct patients one user reads in the window (insider)
  int replayed_readings = 3;           // one device's readings refused as replays
  int implausible_readings = 3;        // one device's readings outside physiological ranges
  int skewed_readings = 5;             // one device's readings with timestamps far off the clock
  int oversize_messages = 1;           // one device's messages over the size limits
  int topic_violations = 1;            // publishes to another topic, or subscriptions, by a device
  int reconnects = 10;                 // connections of one device in the window (reconnect storm)
  int mfa_failures = 3;    // wrong or reused TOTP codes for one account (password known)
  int bulk_reads = 60;     // data requests by one user in the window (bulk collection)
  int baseline_score = 8;  // robust z-score at which a learned baseline alerts
};

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
