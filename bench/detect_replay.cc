// Time-compressed false-positive run of the detection engine (issue #6): the hub's real rules
// and learned baselines, in process, fed normal traffic for many device-hours in minutes. Devices
// are the simulator's models (wearable 1 Hz, pulse oximeter, blood-pressure cuff every 15 min,
// glucose monitor every 5 min, thermometer every minute) with their real payload sizes, network
// jitter, and now and then a dropped connection followed by a burst of resent readings. Users
// are clinicians reading their own patients at a human pace during shifts. Every alert raised is
// a false positive by construction; the run reports them per 1,000 device-hours, with the events
// per second the engine kept up with.
//
// build/bench/detect_replay [--devices 1000] [--hours 2] [--users 50] [--seed 1]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detect/detection_engine.h"
#include "sim/device_model.h"

using namespace vigil;

namespace {

constexpr int64_t kStart = 1'800'000'000'000;

struct Source {
  int64_t next_ms;
  size_t index;
  bool user;
  bool operator>(const Source& o) const { return next_ms > o.next_ms; }
};

struct SimulatedDevice {
  std::string id, address;
  std::unique_ptr<sim::DeviceModel> model;
  double period_ms;
  uint64_t seq = 1;
  int burst = 0;  // readings left to resend at once after a reconnect
};

struct SimulatedUser {
  std::string name, address;
  std::vector<std::string> patients;
};

int64_t Arg(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoll(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t devices = Arg(argc, argv, "--devices", 1000);
  const int64_t hours = Arg(argc, argv, "--hours", 2);
  const int64_t users = Arg(argc, argv, "--users", 50);
  std::mt19937_64 rng(static_cast<uint64_t>(Arg(argc, argv, "--seed", 1)));

  ManualClock clock(kStart);
  std::map<std::string, int> raised;
  std::vector<std::string> examples;
  detect::DetectionEngine engine(clock, detect::DefaultRules(detect::RuleSettings{}),
                                 [&](const events::Alert& a, bool is_new) -> int64_t {
                                   if (!is_new) return a.id;
                                   ++raised[std::string(events::AlertKindName(a.kind))];
                                   if (examples.size() < 10) {
                                     examples.push_back(std::string(events::AlertKindName(a.kind)) +
                                                        " " + a.entity.ToString() + ": " +
                                                        a.summary);
                                   }
                                   return static_cast<int64_t>(examples.size());
                                 });

  const sim::DeviceType types[] = {sim::DeviceType::kWearable, sim::DeviceType::kPulseOximeter,
                                   sim::DeviceType::kBpCuff, sim::DeviceType::kCgm,
                                   sim::DeviceType::kThermometer};
  std::vector<SimulatedDevice> fleet;
  std::priority_queue<Source, std::vector<Source>, std::greater<>> queue;
  std::uniform_real_distribution<double> unit(0, 1);
  for (int64_t i = 0; i < devices; ++i) {
    SimulatedDevice d;
    char id[32];
    std::snprintf(id, sizeof id, "dev-%05lld", static_cast<long long>(i));
    d.id = id;
    d.address = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    d.model = sim::MakeDeviceModel(types[i % 5], static_cast<uint32_t>(i + 1));
    d.period_ms = d.model->natural_period_seconds() * 1000;
    queue.push({kStart + static_cast<int64_t>(unit(rng) * d.period_ms), fleet.size(), false});
    engine.Submit({events::EventKind::kConnectionAccepted, kStart, d.id, "", d.address, "", ""});
    fleet.push_back(std::move(d));
  }
  std::vector<SimulatedUser> staff;
  for (int64_t u = 0; u < users; ++u) {
    SimulatedUser s{"clin" + std::to_string(u), "10.2.0." + std::to_string(u % 250 + 1), {}};
    for (int k = 0; k < 12; ++k) s.patients.push_back("p-" + std::to_string((u * 12 + k) % 5000));
    queue.push(
        {kStart + static_cast<int64_t>(unit(rng) * 60'000), fleet.size() + staff.size(), true});
    staff.push_back(std::move(s));
  }

  const int64_t end = kStart + hours * 3'600'000;
  const double reconnects_per_hour = 0.2;  // a dropped link every five hours or so, per device
  uint64_t events = 0;
  const auto wall = std::chrono::steady_clock::now();
  while (!queue.empty() && queue.top().next_ms < end) {
    Source s = queue.top();
    queue.pop();
    clock.Set(s.next_ms);
    if (!s.user) {
      SimulatedDevice& d = fleet[s.index];
      const std::string payload = d.model->Next(d.seq++, s.next_ms);
      engine.Submit({events::EventKind::kReadingAccepted, s.next_ms, d.id, "", d.address, "", "",
                     static_cast<int64_t>(payload.size())});
      int64_t next = s.next_ms + static_cast<int64_t>(d.period_ms * (0.9 + 0.2 * unit(rng)));
      if (d.burst > 0) {
        --d.burst;
        next = s.next_ms + 2;  // resent back to back
      } else if (unit(rng) < reconnects_per_hour * d.period_ms / 3'600'000) {
        next = s.next_ms + 5'000 + static_cast<int64_t>(unit(rng) * 60'000);
        engine.Submit({events::EventKind::kConnectionAccepted, next, d.id, "", d.address, "", ""});
        d.burst = std::min<int>(16, static_cast<int>(60'000 / d.period_ms) + 1);
      }
      queue.push({next, s.index, false});
    } else {
      SimulatedUser& u = staff[s.index - fleet.size()];
      const int64_t hour_of_day = ((s.next_ms / 3'600'000) % 24);
      const bool on_shift = hour_of_day >= 7 && hour_of_day < 19;
      if (on_shift) {
        const std::string& patient = u.patients[rng() % u.patients.size()];
        engine.Submit({events::EventKind::kAccessDecision, s.next_ms, "", u.name, u.address,
                       patient, "allowed"});
      }
      queue.push(
          {s.next_ms + (on_shift ? 3'000 + static_cast<int64_t>(unit(rng) * 27'000) : 600'000),
           s.index, true});
    }
    if (++events % 20'000 == 0) engine.Flush();
  }
  engine.Flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  engine.Stop();
  int total = 0;
  for (const auto& [kind, n] : raised) total += n;
  const double device_hours = static_cast<double>(devices * hours);
  std::printf(
      "%lld devices x %lld h = %.0f device-hours, %lld users; %llu events in %.1f s "
      "(%.0f events/s through every rule and baseline; %llu shed)\n",
      static_cast<long long>(devices), static_cast<long long>(hours), device_hours,
      static_cast<long long>(users), static_cast<unsigned long long>(events), seconds,
      static_cast<double>(events) / seconds, static_cast<unsigned long long>(engine.shed()));
  std::printf("false-positive alerts: %d (%.2f per 1,000 device-hours)\n", total,
              total / device_hours * 1000);
  for (const auto& [kind, n] : raised) std::printf("  %s: %d\n", kind.c_str(), n);
  for (const auto& e : examples) std::printf("  e.g. %s\n", e.c_str());
  return 0;
}
