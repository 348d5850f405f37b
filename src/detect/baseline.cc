#include "detect/baseline.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace vigil::detect {

double RobustBaseline::spread() const {
  return std::max({1.2533 * mad_, floor_fraction_ * std::abs(center_), floor_absolute_, 1e-9});
}

double RobustBaseline::Score(double x) const {
  if (!warm()) return 0;
  return std::abs(x - center_) / spread();
}

void RobustBaseline::Learn(double x, bool anomalous) {
  ++samples_;
  if (samples_ <= warmup_) {  // exact running mean and mean absolute deviation
    const double w = 1.0 / static_cast<double>(samples_);
    center_ += w * (x - center_);
    mad_ += w * (std::abs(x - center_) - mad_);
    return;
  }
  const double r = anomalous ? rate_ / 10 : rate_;
  center_ += r * (x - center_);
  mad_ += r * (std::abs(x - center_) - mad_);
}

namespace {

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

constexpr size_t kMaxRecent = 16;

double Median(const std::deque<double>& values) {
  std::array<double, kMaxRecent> v{};
  const size_t n = std::min(values.size(), kMaxRecent);
  std::copy_n(values.begin(), n, v.begin());
  std::nth_element(v.begin(), v.begin() + static_cast<long>(n / 2),
                   v.begin() + static_cast<long>(n));
  return v[n / 2];
}

bool NumbersOnly(const nlohmann::json& array) {
  return std::all_of(array.begin(), array.end(), [](const auto& v) { return v.is_number(); });
}

class BaselineRule final : public Rule {
 public:
  explicit BaselineRule(const BaselineSettings& s) : s_(s) {}

  KindSet Watches() const override {
    return KindsOf(EventKind::kConnectionAccepted, EventKind::kReadingAccepted,
                   EventKind::kAccessDecision, EventKind::kDataSent);
  }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    switch (e.kind) {
      case EventKind::kConnectionAccepted:
        if (auto it = devices_.find(e.device); it != devices_.end()) {
          it->second.settling = kSettleMessages;  // resends after a reconnect come in a burst
        }
        return;
      case EventKind::kReadingAccepted:
        return ObserveMessage(e, raise);
      case EventKind::kAccessDecision:
      case EventKind::kDataSent:
        return ObserveAccess(e, raise);
      default:
        return;
    }
  }

 private:
  static constexpr int kSettleMessages = 32;
  static constexpr size_t kMaxEntities = 200'000;
  static constexpr size_t kListed = 20;  // patients and endpoints named in an alert

  struct Feature {
    std::deque<double> recent;
    RobustBaseline baseline;
  };
  struct Device {
    explicit Device(const BaselineSettings& s)
        : interval{{}, {s.device_warmup, s.rate, 0, 0.1}},
          size{{}, {s.device_warmup, s.rate, 0.1, 10}} {}
    // log10 of seconds between messages: at 8 spreads of at least 0.1, a device must send over
    // 6 times faster (or slower) than it has been to raise an alert.
    Feature interval;
    Feature size;  // bytes
    int64_t last_ms = -1;
    int settling = 0;
  };
  struct User {
    explicit User(const BaselineSettings& s)
        : rows{s.user_warmup, s.rate * 10, 0.5, 100},
          patients{s.user_warmup, s.rate * 10, 0.5, 1} {}
    // Rows of patients' data sent a minute (not requests: paging with small pages is not more
    // reading), and distinct patients read a minute.
    RobustBaseline rows, patients;
    int64_t bucket_start = -1;
    int64_t bucket_rows = 0;
    std::set<std::string> bucket_patients;
    std::map<std::string, int64_t> bucket_endpoints;  // rows sent through each endpoint
  };

  // Adds `x` to the feature's recent values; scores and learns their median once enough are in.
  void Judge(Feature& f, double x, const std::string& device, const char* name, bool settling,
             int64_t now, const AlertSink& raise, double shown_value) {
    f.recent.push_back(x);
    if (f.recent.size() > static_cast<size_t>(s_.recent)) f.recent.pop_front();
    if (f.recent.size() < static_cast<size_t>(s_.recent) || settling) return;
    const double m = Median(f.recent);
    const double score = f.baseline.Score(m);
    const bool anomalous = score > s_.threshold;
    if (anomalous) {
      raise(Describe(AlertKind::kDeviceBehaviour, Entity::Device(device), name, shown_value,
                     f.baseline, score, now));
    }
    f.baseline.Learn(m, anomalous);
  }

  Alert Describe(AlertKind kind, const Entity& entity, const char* feature, double value,
                 const RobustBaseline& b, double score, int64_t now) const {
    return MakeAlert(kind, Severity::kMedium, entity, "",
                     entity.ToString() + ": " + feature + " far from its learned baseline (" +
                         Fixed(score) + " spreads)",
                     now,
                     {{"feature", feature},
                      {"value", Fixed(value)},
                      {"baseline", Fixed(b.center())},
                      {"spread", Fixed(b.spread())},
                      {"score", Fixed(score)},
                      {"learned_from", std::to_string(b.samples())}});
  }

  void ObserveMessage(const SecurityEvent& e, const AlertSink& raise) {
    if (devices_.size() > kMaxEntities) devices_.clear();
    Device& d = devices_.try_emplace(e.device, s_).first->second;
    const bool settling = d.settling > 0;
    if (settling) --d.settling;
    if (d.last_ms >= 0) {
      const double seconds = std::max(0.001, static_cast<double>(e.time_ms - d.last_ms) / 1000);
      Judge(d.interval, std::log10(seconds), e.device, "seconds_between_messages", settling,
            e.time_ms, raise, seconds);
    }
    d.last_ms = e.time_ms;
    if (e.size > 0) {
      const double size = static_cast<double>(e.size);
      Judge(d.size, size, e.device, "message_bytes", settling, e.time_ms, raise, size);
    }
  }

  void ObserveAccess(const SecurityEvent& e, const AlertSink& raise) {
    if (e.user.empty()) return;
    if (users_.size() > kMaxEntities) users_.clear();
    User& u = users_.try_emplace(e.user, s_).first->second;
    if (u.bucket_start >= 0 && e.time_ms >= u.bucket_start + s_.user_bucket_ms) {
      CloseBucket(u, Entity::User(e.user), e.time_ms, raise);
    }
    if (u.bucket_start < 0) u.bucket_start = e.time_ms;
    if (e.kind == EventKind::kDataSent) {
      u.bucket_rows += e.size;
      if (u.bucket_endpoints.size() < kListed || u.bucket_endpoints.contains(e.reason)) {
        u.bucket_endpoints[e.reason] += e.size;
      }
    } else if (!e.patient.empty()) {
      u.bucket_patients.insert(e.patient);
    }
  }

  void CloseBucket(User& u, const Entity& entity, int64_t now, const AlertSink& raise) {
    const double rows = static_cast<double>(u.bucket_rows);
    const double patients = static_cast<double>(u.bucket_patients.size());
    const double r = u.rows.Score(rows), p = u.patients.Score(patients);
    // Only more than usual is suspicious: a quiet minute is not.
    const bool r_high = r > s_.threshold && rows > u.rows.center();
    const bool p_high = p > s_.threshold && patients > u.patients.center();
    if (p_high || r_high) {
      Alert alert = p_high ? Describe(AlertKind::kUserBehaviour, entity, "patients_per_minute",
                                      patients, u.patients, p, now)
                           : Describe(AlertKind::kUserBehaviour, entity, "rows_per_minute", rows,
                                      u.rows, r, now);
      // Whom the minute was about and how it was read: the patients (the first 20, by id) and
      // the endpoints, with the rows each sent.
      std::string listed;
      size_t n = 0;
      for (auto it = u.bucket_patients.begin(); it != u.bucket_patients.end() && n < kListed;
           ++it, ++n) {
        listed += (listed.empty() ? "" : ",") + *it;
      }
      alert.evidence["patients"] = listed;
      std::string endpoints;
      for (const auto& [endpoint, sent] : u.bucket_endpoints) {
        endpoints += (endpoints.empty() ? "" : "; ") + endpoint + ": " + std::to_string(sent) +
                     (sent == 1 ? " row" : " rows");
      }
      alert.evidence["endpoints"] = endpoints;
      raise(std::move(alert));
    }
    u.rows.Learn(rows, r_high);
    u.patients.Learn(patients, p_high);
    u.bucket_start = -1;
    u.bucket_rows = 0;
    u.bucket_patients.clear();
    u.bucket_endpoints.clear();
  }

 public:
  // {"devices": {id: [interval, size]}, "users": {name: [rows, patients]}}, each baseline as
  // RobustBaseline::Saved.
  std::string StateName() const override { return "baselines"; }
  std::string SaveState() const override {
    nlohmann::json devices = nlohmann::json::object(), users = nlohmann::json::object();
    for (const auto& [id, d] : devices_) {
      if (d.interval.baseline.samples() + d.size.baseline.samples() == 0) continue;
      devices[id] = {d.interval.baseline.Saved(), d.size.baseline.Saved()};
    }
    for (const auto& [name, u] : users_) users[name] = {u.rows.Saved(), u.patients.Saved()};
    return nlohmann::json{{"devices", devices}, {"users", users}}.dump();
  }
  Status RestoreState(std::string_view state) override {
    const auto j = nlohmann::json::parse(state, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.value("devices", nlohmann::json()).is_object() ||
        !j.value("users", nlohmann::json()).is_object()) {
      return UnreadableState(0, 0);
    }
    size_t entries = 0, skipped = 0;
    const auto pairs = [&](const nlohmann::json& table, auto&& restore) {
      if (!table.is_object()) return;
      for (const auto& [key, v] : table.items()) {
        ++entries;
        if (v.is_array() && v.size() == 2 && v[0].is_array() && v[1].is_array() &&
            NumbersOnly(v[0]) && NumbersOnly(v[1])) {
          restore(key, v[0].template get<std::vector<double>>(),
                  v[1].template get<std::vector<double>>());
        } else {
          ++skipped;
        }
      }
    };
    pairs(j.value("devices", nlohmann::json()),
          [&](const std::string& id, const auto& a, const auto& b) {
            Device& d = devices_.try_emplace(id, s_).first->second;
            d.interval.baseline.Restore(a);
            d.size.baseline.Restore(b);
          });
    pairs(j.value("users", nlohmann::json()),
          [&](const std::string& name, const auto& a, const auto& b) {
            User& u = users_.try_emplace(name, s_).first->second;
            u.rows.Restore(a);
            u.patients.Restore(b);
          });
    return UnreadableState(skipped, std::max<size_t>(entries, 1));
  }

 private:
  BaselineSettings s_;
  std::unordered_map<std::string, Device> devices_;
  std::unordered_map<std::string, User> users_;
};

}  // namespace

std::unique_ptr<Rule> MakeBaselineRule(const BaselineSettings& settings) {
  return std::make_unique<BaselineRule>(settings);
}

}  // namespace vigil::detect
