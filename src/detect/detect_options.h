// What the detection rules watch for and at which thresholds ([detect] in config.toml).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace vigil {

// Detection thresholds (detect/rules.h says what each rule watches). The rules take
// this struct as their settings (detect::RuleSettings).
struct DetectOptions {
  bool enabled = true;  // off: no events are produced (to measure what detection costs)
  int64_t window_seconds = 60;
  int refused_connections = 10;  // refused connections from one address in the window
  int failed_logins = 5;         // failures for one account in the window (brute force)
  int spray_accounts = 5;        // distinct accounts failing from one address (spraying)
  int stuffing_addresses = 5;    // distinct addresses failing for one account (stuffing)
  int clone_addresses = 2;       // distinct addresses one device's connections switch between, at
                            // least 3 times in the window (a clone; roaming changes once or twice)
  int flood_messages_per_second = 50;  // one device's readings (accepted or refused)
  int patients_touched = 20;           // distinct patients one user reads in the window (insider)
  int replayed_readings = 3;           // one device's readings refused as replays
  int implausible_readings = 3;        // one device's implausible readings (range or change)
  int skewed_readings = 5;             // one device's readings with timestamps far off the clock
  int oversize_messages = 1;           // one device's messages over the size limits
  int topic_violations = 1;            // publishes to another topic, or subscriptions, by a device
  int reconnects = 10;                 // connections of one device in the window (reconnect storm)
  int mfa_failures = 3;                // wrong or reused TOTP codes for one account
  int bulk_rows = 20000;               // rows of patients' data sent to one user in the window
                                       // (bulk collection; paging does not add to it)
  int baseline_score = 8;              // robust z-score at which a learned baseline alerts
  int campaign_window_seconds = 900;   // the hub-wide window of slow, spread login attacks
  int campaign_accounts = 10;          // distinct accounts failing hub-wide in that window ...
  int campaign_addresses = 5;          // ... from at least this many addresses

  // Every threshold above by its config key, in the order config.toml lists them.
  std::vector<std::pair<const char*, int*>> Thresholds();
};

}  // namespace vigil
