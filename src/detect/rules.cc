#include "detect/rules.h"

#include <algorithm>

#include "detect/baseline.h"
#include "detect/clone_rule.h"
#include "detect/login_campaign_rule.h"

namespace vigil::detect {
namespace {

// Many refused connections from one address: someone trying certificates or topics that are not
// theirs (unknown or revoked certificates, scanning).
class RefusedConnectionsRule final : public Rule {
 public:
  explicit RefusedConnectionsRule(const RuleSettings& s) : s_(s), refused_(WindowMs(s)) {}
  KindSet Watches() const override { return KindsOf(EventKind::kConnectionRefused); }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    if (e.kind != EventKind::kConnectionRefused) return;
    // A contained identity's refusals (quarantined, revoked), the hub's own limits and blocks,
    // and peers that stopped answering say nothing about who else is behind the address.
    for (std::string_view contained :
         {"quarantined", "revoked", "address_blocked", "too_many_connections", "keep_alive_timeout",
          "write_timeout", "store_unavailable"}) {
      if (e.reason == contained) return;
    }
    const size_t n = refused_.Add(e.address, e.time_ms);
    if (n >= static_cast<size_t>(s_.refused_connections)) {
      raise(MakeAlert(AlertKind::kRefusedConnections, Severity::kMedium, Entity::Address(e.address),
                      "T1595", std::to_string(n) + " refused device connections from " + e.address,
                      e.time_ms,
                      {{"refused_in_window", std::to_string(n)}, {"last_reason", e.reason}}));
    }
  }

 private:
  RuleSettings s_;
  CountInWindow refused_;
};

// Login failures: one account failing repeatedly (brute force), one address failing for many
// accounts (password spraying), one account failing from many addresses (credential stuffing).
class LoginAttackRule final : public Rule {
 public:
  explicit LoginAttackRule(const RuleSettings& s)
      : s_(s), per_account_(WindowMs(s)), accounts_(WindowMs(s)), addresses_(WindowMs(s)) {}
  KindSet Watches() const override { return KindsOf(EventKind::kLoginFailed); }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    if (e.kind != EventKind::kLoginFailed) return;
    const size_t failures = per_account_.Add(e.user, e.time_ms);
    if (failures >= static_cast<size_t>(s_.failed_logins)) {
      raise(MakeAlert(
          AlertKind::kBruteForce, Severity::kHigh, Entity::User(e.user), "T1110.001",
          std::to_string(failures) + " failed logins for one account", e.time_ms,
          {{"failures_in_window", std::to_string(failures)}, {"latest_address", e.address}}));
    }
    const size_t accounts = accounts_.Add(e.address, e.user, e.time_ms);
    if (accounts >= static_cast<size_t>(s_.spray_accounts)) {
      raise(MakeAlert(
          AlertKind::kPasswordSpraying, Severity::kHigh, Entity::Address(e.address), "T1110.003",
          "failed logins for " + std::to_string(accounts) + " accounts from " + e.address,
          e.time_ms, {{"accounts_in_window", std::to_string(accounts)}}));
    }
    const size_t addresses = addresses_.Add(e.user, e.address, e.time_ms);
    if (addresses >= static_cast<size_t>(s_.stuffing_addresses)) {
      raise(MakeAlert(
          AlertKind::kCredentialStuffing, Severity::kHigh, Entity::User(e.user), "T1110.004",
          "failed logins for one account from " + std::to_string(addresses) + " addresses",
          e.time_ms, {{"addresses_in_window", std::to_string(addresses)}}));
    }
  }

 private:
  RuleSettings s_;
  CountInWindow per_account_;
  DistinctInWindow accounts_;
  DistinctInWindow addresses_;
};

// One device sending far more than a device does: a flood (compromised device, DoS).
class FloodRule final : public Rule {
 public:
  explicit FloodRule(const RuleSettings& s) : s_(s), per_second_(1000) {}
  KindSet Watches() const override {
    return KindsOf(EventKind::kReadingAccepted, EventKind::kReadingRefused);
  }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    if (e.kind != EventKind::kReadingAccepted && e.kind != EventKind::kReadingRefused) return;
    const size_t n = per_second_.Add(e.device, e.time_ms);
    if (n <= static_cast<size_t>(s_.flood_messages_per_second)) return;
    // Once a second a flooding device: its every message over the limit would only repeat the
    // alert (the engine folds repeats), at the cost of building it each time.
    if (raised_.size() > kMaxDevices) raised_.clear();
    int64_t& raised_ms = raised_[e.device];
    if (raised_ms != 0 && e.time_ms - raised_ms < 1000) return;
    raised_ms = e.time_ms;
    raise(MakeAlert(AlertKind::kMessageFlood, Severity::kMedium, Entity::Device(e.device), "T1499",
                    "device " + e.device + " sent " + std::to_string(n) + " messages in a second",
                    e.time_ms, {{"messages_per_second", std::to_string(n)}}));
  }

 private:
  static constexpr size_t kMaxDevices = 100'000;
  RuleSettings s_;
  CountInWindow per_second_;
  std::unordered_map<std::string, int64_t> raised_;  // when each flooding device last raised
};

// Refused (or stored but flagged) readings of one device, by reason: replays (a captured message
// sent again), implausible values or changes (tampering or a broken sensor), clock skew, oversize
// messages, and
// topic violations (publishing as another device, or subscribing: a device that starts scanning).
class RefusedReadingsRule final : public Rule {
 public:
  explicit RefusedReadingsRule(const RuleSettings& s)
      : refused_(WindowMs(s)), resent_(WindowMs(s)) {
    kinds_ = {
        {AlertKind::kReplayedReadings,
         Severity::kHigh,
         "T0856",
         s.replayed_readings,
         {"replay"},
         "readings refused as replays"},
        {AlertKind::kReplayedReadings,
         Severity::kHigh,
         "T0856",
         1,
         {"replay_dup_mismatch"},
         "retransmissions (DUP) that differ from the message stored under their number"},
        {AlertKind::kImplausibleValues,
         Severity::kMedium,
         "T0856",
         s.implausible_readings,
         {"implausible_value", "implausible_change", "timestamp_backwards"},
         "readings physiologically implausible (out of range, changing too fast, or timestamped "
         "before the device's latest)"},
        {AlertKind::kVitalDrift,
         Severity::kMedium,
         "T0856",
         1,
         {"value_drift"},
         "readings whose level left the device's own normal (a drift or steps toward other "
         "values: check the patient by other means)"},
        {AlertKind::kInconsistentVitals,
         Severity::kHigh,
         "T0856",
         1,
         {"vitals_inconsistent"},
         "readings whose vital signs do not belong together (falsified values suspected)"},
        {AlertKind::kClockSkew,
         Severity::kLow,
         "",
         s.skewed_readings,
         {"clock_skew"},
         "readings refused for timestamps far from the hub's clock"},
        {AlertKind::kOversizeMessages,
         Severity::kMedium,
         "T1499",
         s.oversize_messages,
         {"too_large", "packet_too_large"},
         "messages over the size limits"},
        {AlertKind::kTopicViolation,
         Severity::kHigh,
         "T1046",
         s.topic_violations,
         {"topic_not_allowed", "subscribe"},
         "publishes to another device's topic or subscriptions"},
    };
  }
  KindSet Watches() const override {
    return KindsOf(EventKind::kReadingAccepted, EventKind::kReadingRefused,
                   EventKind::kReadingFlagged);
  }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    std::string_view reason = e.reason;
    if (e.kind == EventKind::kReadingAccepted &&
        (reason == "retransmission" || reason == "resend")) {
      // A lost acknowledgement makes a device send a message again, once. The same message
      // again and again is somebody replaying it (acknowledged, nothing stored twice).
      if (resent_.Add(e.device + '#' + std::to_string(e.seq), e.time_ms) < 2) return;
      reason = "replay";
    } else if (e.kind != EventKind::kReadingRefused && e.kind != EventKind::kReadingFlagged) {
      return;
    }
    for (const Kind& k : kinds_) {
      if (std::find(k.reasons.begin(), k.reasons.end(), reason) == k.reasons.end()) continue;
      const size_t n =
          refused_.Add(std::string(events::AlertKindName(k.name)) + '|' + e.device, e.time_ms);
      if (n >= static_cast<size_t>(k.threshold)) {
        // What happened to the latest: refused, or stored (and marked suspect), or
        // acknowledged again without being stored twice.
        const char* outcome = e.kind == EventKind::kReadingRefused ? "refused"
                              : e.kind == EventKind::kReadingFlagged
                                  ? "stored, marked suspect"
                                  : "acknowledged again, not stored";
        Alert alert =
            MakeAlert(k.name, k.severity, Entity::Device(e.device), k.technique,
                      "device " + e.device + ": " + std::to_string(n) + " " + k.what, e.time_ms,
                      {{"in_window", std::to_string(n)},
                       {"latest_outcome", outcome},
                       {"reason", std::string(reason)},
                       {"address", e.address}});
        if (e.seq != 0) alert.evidence["latest_seq"] = std::to_string(e.seq);
        raise(std::move(alert));
      }
      return;
    }
  }

 private:
  struct Kind {
    AlertKind name;
    Severity severity;
    std::string technique;
    int threshold;
    std::vector<std::string> reasons;
    std::string what;
  };
  std::vector<Kind> kinds_;
  CountInWindow refused_;
  CountInWindow resent_;  // per device and sequence number: how often a stored one came again
};

// One device connecting again and again: a reconnect storm (a crashing or hijacked device, or
// a clone fighting the original for the connection).
class ReconnectStormRule final : public Rule {
 public:
  explicit ReconnectStormRule(const RuleSettings& s) : s_(s), connects_(WindowMs(s)) {}
  KindSet Watches() const override { return KindsOf(EventKind::kConnectionAccepted); }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    if (e.kind != EventKind::kConnectionAccepted) return;
    const size_t n = connects_.Add(e.device, e.time_ms);
    if (n >= static_cast<size_t>(s_.reconnects)) {
      raise(MakeAlert(
          AlertKind::kReconnectStorm, Severity::kMedium, Entity::Device(e.device), "T1499",
          "device " + e.device + " connected " + std::to_string(n) + " times within the window",
          e.time_ms, {{"connections_in_window", std::to_string(n)}, {"address", e.address}}));
    }
  }

 private:
  RuleSettings s_;
  CountInWindow connects_;
};

// Sessions: wrong or reused TOTP codes after a correct password (the password is known to
// whoever is trying), and a session token presented from an address other than the one that
// completed MFA (a stolen token).
class SessionRule final : public Rule {
 public:
  explicit SessionRule(const RuleSettings& s) : s_(s), mfa_failures_(WindowMs(s)) {}
  KindSet Watches() const override {
    return KindsOf(EventKind::kSessionNewAddress, EventKind::kLoginFailed);
  }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    if (e.kind == EventKind::kSessionNewAddress) {
      raise(MakeAlert(AlertKind::kSessionNewAddress, Severity::kHigh, Entity::User(e.user),
                      "T1550.004", "a session of " + e.user + " was used from a new address",
                      e.time_ms, {{"address", e.address}, {"mfa_address", e.reason}}));
      return;
    }
    if (e.kind != EventKind::kLoginFailed) return;
    if (e.reason != "bad_code" && e.reason != "reused_code") return;
    const size_t n = mfa_failures_.Add(e.user, e.time_ms);
    if (n >= static_cast<size_t>(s_.mfa_failures)) {
      raise(MakeAlert(
          AlertKind::kMfaFailures, Severity::kHigh, Entity::User(e.user), "T1110",
          std::to_string(n) + " failed TOTP codes after a correct password for " + e.user,
          e.time_ms, {{"failures_in_window", std::to_string(n)}, {"latest_address", e.address}}));
    }
  }

 private:
  RuleSettings s_;
  CountInWindow mfa_failures_;
};

// Access decisions: break-glass use, reads refused outside the care team, one user reading
// many patients other than their care teams' (an insider browsing), and one user sent more rows of
// patients' data than anyone's care needs in the window (bulk collection). Rows, not requests: a
// client paging one patient's record with small pages sends many requests for ordinary amounts of
// data.
class AccessRule final : public Rule {
 public:
  explicit AccessRule(const RuleSettings& s)
      : s_(s), patients_(WindowMs(s)), rows_(WindowMs(s)), break_glass_(WindowMs(s)) {}
  KindSet Watches() const override {
    return KindsOf(EventKind::kDataSent, EventKind::kAccessDecision);
  }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    if (e.kind == EventKind::kDataSent && e.size > 0) {
      const size_t rows = rows_.Add(e.user, e.time_ms, static_cast<size_t>(e.size));
      if (rows >= static_cast<size_t>(s_.bulk_rows)) {
        raise(MakeAlert(AlertKind::kBulkReads, Severity::kHigh, Entity::User(e.user), "T1119",
                        e.user + " was sent " + std::to_string(rows) +
                            " rows of patients' data within the window",
                        e.time_ms,
                        {{"rows_in_window", std::to_string(rows)}, {"latest_patient", e.patient}}));
      }
      return;
    }
    if (e.kind != EventKind::kAccessDecision || e.patient.empty()) return;
    if (e.reason == "break-glass") {
      // One emergency is medium; break-glass into patient after patient is high, and the alert
      // lists them all (not only the last).
      const size_t n = break_glass_.Add(e.user, e.patient, e.time_ms);
      std::deque<std::string>& recent = break_glass_patients_[e.user];
      if (std::find(recent.begin(), recent.end(), e.patient) == recent.end()) {
        recent.push_back(e.patient);
        if (recent.size() > kListedPatients) recent.pop_front();
      }
      std::string listed;
      for (const auto& p : recent) listed += (listed.empty() ? "" : ",") + p;
      if (break_glass_patients_.size() > 100'000) break_glass_patients_.clear();
      raise(MakeAlert(AlertKind::kBreakGlass,
                      n >= kBreakGlassEscalation ? Severity::kHigh : Severity::kMedium,
                      Entity::User(e.user), "T1078",
                      "break-glass access by " + e.user + " to " + std::to_string(n) +
                          (n == 1 ? " patient" : " patients") + " within the window",
                      e.time_ms,
                      {{"patient", e.patient},
                       {"patients_in_window", std::to_string(n)},
                       {"patients", listed}}));
    } else if (e.reason == "denied") {
      raise(MakeAlert(AlertKind::kAccessOutsideCareTeam, Severity::kMedium, Entity::User(e.user),
                      "T1078", "refused access to a patient's data by " + e.user, e.time_ms,
                      {{"patient", e.patient}}));
      return;
    }
    // Reads of the user's own care teams' patients are the job, not browsing: a nurse opening
    // each chart of the ward, or a clinician listing their patients (GET /fhir/Patient), keeps
    // the session. Browsing shows outside the care team (refused, or under break-glass: both
    // alerted above and counted here) and in volume (bulk-reads).
    if (e.reason == "care-team") return;
    const size_t n = patients_.Add(e.user, e.patient, e.time_ms);
    if (n >= static_cast<size_t>(s_.patients_touched)) {
      raise(MakeAlert(AlertKind::kManyPatients, Severity::kHigh, Entity::User(e.user), "T1213",
                      e.user + " read " + std::to_string(n) + " patients' data within the window",
                      e.time_ms, {{"patients_in_window", std::to_string(n)}}));
    }
  }

 private:
  static constexpr size_t kBreakGlassEscalation = 3;  // patients
  static constexpr size_t kListedPatients = 50;
  RuleSettings s_;
  DistinctInWindow patients_;
  CountInWindow rows_;
  DistinctInWindow break_glass_;
  std::unordered_map<std::string, std::deque<std::string>> break_glass_patients_;  // latest
};

// Readings the hub acknowledged it could not store (a failing disk, a message that fails its
// commit on its own): one alert on the hub, folded while it goes on, naming the last device.
class StoreFailureRule final : public Rule {
 public:
  explicit StoreFailureRule(const RuleSettings& s) : failures_(WindowMs(s)) {}
  KindSet Watches() const override { return KindsOf(EventKind::kReadingRefused); }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    if (e.kind != EventKind::kReadingRefused || e.reason != "store_failure") return;
    const size_t n = failures_.Add("hub", e.time_ms);
    raise(MakeAlert(AlertKind::kStoreFailure, Severity::kHigh, Entity::Hub("store"), "",
                    std::to_string(n) +
                        " readings could not be stored in the window (the last "
                        "from device " +
                        e.device + "); /readyz says why",
                    e.time_ms, {{"failed_in_window", std::to_string(n)}, {"device", e.device}}));
  }

 private:
  CountInWindow failures_;
};

}  // namespace

Alert MakeAlert(AlertKind kind, Severity severity, Entity entity, std::string technique,
                std::string summary, int64_t now_ms, std::map<std::string, std::string> evidence) {
  Alert a;
  a.kind = std::move(kind);
  a.severity = severity;
  a.entity = std::move(entity);
  a.technique = std::move(technique);
  a.summary = std::move(summary);
  a.first_ms = a.last_ms = now_ms;
  a.evidence = std::move(evidence);
  return a;
}

size_t DistinctInWindow::Add(const std::string& key, const std::string& value, int64_t now_ms) {
  Seen& seen = keys_[key];
  seen.events.emplace_back(now_ms, value);
  ++seen.counts[value];
  while (!seen.events.empty() && seen.events.front().first <= now_ms - window_ms_) {
    auto it = seen.counts.find(seen.events.front().second);
    if (--it->second == 0) seen.counts.erase(it);
    seen.events.pop_front();
  }
  const size_t distinct = seen.counts.size();
  if (keys_.size() > 100'000) Prune(now_ms);
  return distinct;
}

void DistinctInWindow::Prune(int64_t now_ms) {
  std::erase_if(keys_, [&](const auto& k) {
    return k.second.events.empty() || k.second.events.back().first <= now_ms - window_ms_;
  });
}

Status UnreadableState(size_t skipped, size_t entries) {
  if (entries == 0) return Status::DataLoss("the saved state is not the JSON object it should be");
  if (skipped == 0) return Status::Ok();
  return Status::DataLoss(std::to_string(skipped) + " of " + std::to_string(entries) +
                          " saved entries could not be read");
}

std::vector<std::unique_ptr<Rule>> DefaultRules(const RuleSettings& settings) {
  std::vector<std::unique_ptr<Rule>> rules;
  rules.push_back(std::make_unique<RefusedConnectionsRule>(settings));
  rules.push_back(MakeDeviceCloneRule(settings));
  rules.push_back(std::make_unique<LoginAttackRule>(settings));
  rules.push_back(std::make_unique<FloodRule>(settings));
  rules.push_back(std::make_unique<AccessRule>(settings));
  rules.push_back(std::make_unique<RefusedReadingsRule>(settings));
  rules.push_back(std::make_unique<ReconnectStormRule>(settings));
  rules.push_back(std::make_unique<SessionRule>(settings));
  rules.push_back(std::make_unique<StoreFailureRule>(settings));
  rules.push_back(MakeLoginCampaignRule(settings));
  BaselineSettings baselines;
  baselines.threshold = settings.baseline_score;
  rules.push_back(MakeBaselineRule(baselines));
  return rules;
}

}  // namespace vigil::detect
