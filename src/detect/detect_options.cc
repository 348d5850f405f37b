#include "detect/detect_options.h"

namespace vigil {

std::vector<std::pair<const char*, int*>> DetectOptions::Thresholds() {
  return {{"refused_connections", &refused_connections},
          {"failed_logins", &failed_logins},
          {"spray_accounts", &spray_accounts},
          {"stuffing_addresses", &stuffing_addresses},
          {"clone_addresses", &clone_addresses},
          {"flood_messages_per_second", &flood_messages_per_second},
          {"patients_touched", &patients_touched},
          {"replayed_readings", &replayed_readings},
          {"implausible_readings", &implausible_readings},
          {"skewed_readings", &skewed_readings},
          {"oversize_messages", &oversize_messages},
          {"topic_violations", &topic_violations},
          {"reconnects", &reconnects},
          {"mfa_failures", &mfa_failures},
          {"bulk_rows", &bulk_rows},
          {"baseline_score", &baseline_score},
          {"campaign_window_seconds", &campaign_window_seconds},
          {"campaign_accounts", &campaign_accounts},
          {"campaign_addresses", &campaign_addresses}};
}

}  // namespace vigil
