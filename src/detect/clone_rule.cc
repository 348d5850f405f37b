#include "detect/clone_rule.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

namespace vigil::detect {
namespace {

constexpr size_t kFightingChanges = 3;
constexpr size_t kMaxDevices = 200'000;
constexpr size_t kRecentReadings = 256;  // per device: sequence numbers and where they came from
constexpr size_t kListedSeqs = 200;
constexpr size_t kTlsClientsPerDevice = 4;

class DeviceCloneRule final : public Rule {
 public:
  explicit DeviceCloneRule(const RuleSettings& s)
      : s_(s), addresses_(WindowMs(s)), changes_(WindowMs(s)) {}

  KindSet Watches() const override {
    return KindsOf(EventKind::kReadingAccepted, EventKind::kReadingRefused,
                   EventKind::kConnectionAccepted);
  }
  void Observe(const SecurityEvent& e, const AlertSink& raise) override {
    if (e.kind == EventKind::kReadingAccepted && e.seq != 0 && e.reason.empty()) {
      Device& d = DeviceOf(e.device);
      d.readings.push_back({e.seq, e.address, e.time_ms});
      if (d.readings.size() > kRecentReadings) d.readings.pop_front();
      return;
    }
    if (e.kind == EventKind::kReadingRefused && e.reason == "replay")
      return SharedCounter(e, raise);
    if (e.kind != EventKind::kConnectionAccepted) return;
    Device& d = DeviceOf(e.device);
    NewTlsClient(d, e, raise);
    if (d.first_address.empty()) d.first_address = e.address;
    const size_t n = addresses_.Add(e.device, e.address, e.time_ms);
    const bool moved = !d.last_address.empty() && d.last_address != e.address;
    const std::string previous = d.last_address;
    d.last_address = e.address;
    if (!moved) return;
    const size_t changes = changes_.Add(e.device, e.time_ms);
    if (n < static_cast<size_t>(s_.clone_addresses) || changes < kFightingChanges) return;
    Raise(d, e, previous,
          "device " + e.device + " switched between " + std::to_string(n) + " addresses " +
              std::to_string(changes) + " times within the window",
          {{"addresses", std::to_string(n)}, {"address_changes", std::to_string(changes)}}, raise);
  }

  // {"device": {"home": "address", "tls": ["client fingerprint", ...]}}: where each device
  // first connected from and the TLS clients it connected with (a bare address string, as
  // earlier versions saved, is read too).
  std::string StateName() const override { return "device-homes"; }
  std::string SaveState() const override {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [id, d] : devices_) {
      if (d.first_address.empty() && d.tls_clients.empty()) continue;
      j[id] = {{"home", d.first_address}, {"tls", d.tls_clients}};
    }
    return j.dump();
  }
  Status RestoreState(std::string_view state) override {
    const auto j = nlohmann::json::parse(state, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return UnreadableState(0, 0);
    size_t skipped = 0;
    for (const auto& [id, saved] : j.items()) {
      if (saved.is_string()) {
        DeviceOf(id).first_address = saved.get<std::string>();
      } else if (saved.is_object() && saved.value("home", nlohmann::json()).is_string() &&
                 saved.value("tls", nlohmann::json()).is_array()) {
        Device& d = DeviceOf(id);
        d.first_address = saved["home"].get<std::string>();
        for (const auto& fp : saved["tls"]) {
          if (fp.is_string() && d.tls_clients.size() < kTlsClientsPerDevice) {
            d.tls_clients.push_back(fp.get<std::string>());
          }
        }
      } else {
        ++skipped;
      }
    }
    return UnreadableState(skipped, std::max<size_t>(j.size(), 1));
  }

 private:
  struct Reading {
    uint64_t seq;
    std::string address;
    int64_t time_ms;
  };
  struct Device {
    std::string first_address, last_address;
    std::deque<Reading> readings;          // accepted, oldest first
    std::vector<std::string> tls_clients;  // fingerprints it connected with, the first its own
    std::unordered_map<std::string, std::string> tls_by_address;  // the latest from each
  };

  // A connection whose TLS client (the ClientHello's fingerprint: the device's TLS stack and
  // settings) the device never used, from an address that is neither its home nor where it
  // last connected from: someone else's software holding its certificate. A firmware update
  // (new client, same place) or roaming (same client, new place) alone is not one.
  void NewTlsClient(Device& d, const SecurityEvent& e, const AlertSink& raise) {
    const std::string& fp = e.reason;
    if (fp.empty()) return;
    if (d.tls_by_address.size() >= kTlsClientsPerDevice * 4) d.tls_by_address.clear();
    d.tls_by_address[e.address] = fp;
    const bool known =
        std::find(d.tls_clients.begin(), d.tls_clients.end(), fp) != d.tls_clients.end();
    if (known) return;
    const bool judged = !d.tls_clients.empty() && !d.first_address.empty();
    const bool elsewhere = e.address != d.first_address && e.address != d.last_address;
    if (d.tls_clients.size() < kTlsClientsPerDevice) d.tls_clients.push_back(fp);
    if (!judged || !elsewhere) return;
    raise(MakeAlert(AlertKind::kNewTlsClient, Severity::kMedium, Entity::Device(e.device), "T1078",
                    "device " + e.device + " connected from " + e.address +
                        " with a TLS client it never used (its own connects from " +
                        d.first_address + "): a copy of its certificate in other software?",
                    e.time_ms,
                    {{"address", e.address},
                     {"home_address", d.first_address},
                     {"tls_client", fp},
                     {"home_tls_client", d.tls_clients.front()}}));
  }

  Device& DeviceOf(const std::string& id) {
    if (devices_.size() >= kMaxDevices && !devices_.contains(id)) devices_.clear();
    return devices_[id];
  }

  // A replay refused from one address soon after another address's readings were accepted.
  void SharedCounter(const SecurityEvent& e, const AlertSink& raise) {
    auto it = devices_.find(e.device);
    if (it == devices_.end() || it->second.readings.empty()) return;
    Device& d = it->second;
    const Reading& last = d.readings.back();
    if (last.address == e.address || e.time_ms - last.time_ms > WindowMs(s_)) return;
    Raise(d, e, last.address,
          "device " + e.device + ": readings from " + e.address +
              " refused as replays just after readings from " + last.address +
              " were accepted (two senders sharing one sequence)",
          {{"accepted_seq", std::to_string(last.seq)}}, raise);
  }

  // The device's home: the first address it connected from since the hub started, else (its
  // connection predates the hub) the address most of its recent readings came from.
  static std::string Home(const Device& d) {
    if (!d.first_address.empty()) return d.first_address;
    std::unordered_map<std::string, size_t> counts;
    std::string home;
    size_t best = 0;
    for (const Reading& r : d.readings) {
      if (++counts[r.address] > best) {
        best = counts[r.address];
        home = r.address;
      }
    }
    return home;
  }

  void Raise(const Device& d, const SecurityEvent& e, const std::string& other,
             const std::string& summary, std::map<std::string, std::string> evidence,
             const AlertSink& raise) {
    const std::string home = Home(d);
    std::string clone = e.address != home ? e.address : other;
    // The TLS client tells the copy apart when addresses do not: the one that is not the
    // device's own.
    const auto tls = [&](const std::string& address) {
      const auto it = d.tls_by_address.find(address);
      return it == d.tls_by_address.end() ? std::string() : it->second;
    };
    if (!d.tls_clients.empty()) {
      const std::string own = d.tls_clients.front();
      const std::string a = tls(e.address), b = tls(other);
      if (a == own && !b.empty() && b != own) clone = other;
      if (b == own && !a.empty() && a != own) clone = e.address;
      if (!tls(clone).empty()) evidence["clone_tls_client"] = tls(clone);
      evidence["home_tls_client"] = own;
    }
    std::string seqs;
    size_t listed = 0;
    for (auto r = d.readings.rbegin(); r != d.readings.rend() && listed < kListedSeqs; ++r) {
      if (r->address != clone) continue;
      seqs += (seqs.empty() ? "" : ",") + std::to_string(r->seq);
      ++listed;
    }
    evidence["latest_address"] = e.address;
    evidence["previous_address"] = other;
    evidence["clone_address"] = clone;
    evidence["home_address"] = home;
    if (!seqs.empty()) {
      evidence["suspect_seqs"] = seqs;
      evidence["suspect_reason"] = "clone";
    }
    raise(MakeAlert(AlertKind::kDeviceClone, Severity::kHigh, Entity::Device(e.device), "T1078",
                    summary + "; the copy connects from " + clone, e.time_ms, std::move(evidence)));
  }

  RuleSettings s_;
  DistinctInWindow addresses_;
  CountInWindow changes_;
  std::unordered_map<std::string, Device> devices_;
};

}  // namespace

std::unique_ptr<Rule> MakeDeviceCloneRule(const RuleSettings& settings) {
  return std::make_unique<DeviceCloneRule>(settings);
}

}  // namespace vigil::detect
