#include "sim/sim_runner.h"

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "admin/hub_admin.h"
#include "core/files.h"
#include "sim/sim_device.h"

namespace vigil::sim {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

Result<DeviceType> ParseType(const std::string& name) {
  for (auto t : {DeviceType::kWearable, DeviceType::kPulseOximeter, DeviceType::kBpCuff,
                 DeviceType::kCgm, DeviceType::kThermometer}) {
    if (DeviceTypeName(t) == name) return t;
  }
  return Status::InvalidArgument(
      "simulated device types: wearable, pulse-oximeter, bp-cuff, cgm, "
      "thermometer");
}

std::string Numbered(const std::string& prefix, const char* kind, int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", i);
  return prefix + "-" + kind + "-" + buf;
}

struct PlannedDevice {
  SimDeviceOptions options;
  DeviceType type;
};

// Enrols the devices that are not enrolled yet; reuses the others (from their last sequence).
Result<std::vector<PlannedDevice>> PlanDevices(const SimOptions& o) {
  std::vector<DeviceType> types;
  for (const auto& name : o.types) {
    VIGIL_ASSIGN_OR_RETURN(DeviceType t, ParseType(name));
    types.push_back(t);
  }
  if (types.empty()) {
    types = {DeviceType::kWearable, DeviceType::kPulseOximeter, DeviceType::kBpCuff,
             DeviceType::kCgm, DeviceType::kThermometer};
  }
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(o.data_dir));
  const std::string sim_dir = hub.layout.root + "/sim";
  if (!PathExists(sim_dir)) VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(sim_dir));
  std::vector<PlannedDevice> planned;
  for (int i = 1; i <= o.devices; ++i) {
    PlannedDevice p;
    p.type = types[static_cast<size_t>(i - 1) % types.size()];
    auto& opt = p.options;
    opt.device_id = Numbered(o.prefix, "dev", i);
    const std::string dir = sim_dir + "/" + opt.device_id;
    VIGIL_ASSIGN_OR_RETURN(auto existing, hub.store->FindDevice(opt.device_id));
    if (existing) {
      if (!PathExists(dir + "/" + opt.device_id + ".key")) {
        return Status::FailedPrecondition("device " + opt.device_id +
                                          " is enrolled but its credentials are not in " + dir);
      }
      opt.first_seq = existing->last_seq + 1;
    } else {
      const std::string patient = Numbered(o.prefix, "p", i);
      VIGIL_ASSIGN_OR_RETURN(auto patient_record, hub.store->FindPatient(patient));
      if (!patient_record) {
        VIGIL_RETURN_IF_ERROR(
            admin::AddPatient(hub, patient, "Simulated Patient " + patient, "1950-01-01"));
      }
      VIGIL_ASSIGN_OR_RETURN(
          auto enrolled,
          admin::EnrolDevice(
              hub, {opt.device_id, patient, std::string(DeviceTypeName(p.type)), {}, 825}));
      VIGIL_RETURN_IF_ERROR(admin::WriteDeviceCredentials(dir, opt.device_id, enrolled));
    }
    opt.ca_file = dir + "/ca.crt";
    opt.cert_file = dir + "/" + opt.device_id + ".crt";
    opt.key_file = dir + "/" + opt.device_id + ".key";
    opt.host = o.host;
    opt.port = static_cast<uint16_t>(o.port >= 0 ? o.port : hub.config.serve.mqtt_port);
    opt.version = o.mqtt_version == "5" || o.mqtt_version == "5.0"
                      ? ingest::mqtt::ProtocolVersion::kV5
                      : ingest::mqtt::ProtocolVersion::kV311;
    opt.qos = static_cast<uint8_t>(o.qos);
    opt.window = static_cast<size_t>(o.window);
    planned.push_back(std::move(p));
  }
  return planned;
}

std::string StatusLine(const SimStats& s, double elapsed, double duration, size_t live,
                       uint64_t acked_before, double interval) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "[%5.1fs/%.0fs] devices %zu | sent %llu acked %llu refused %llu resent %llu | "
                "%.0f acks/s | ack p50 %.2f ms p99 %.2f ms",
                elapsed, duration, live, static_cast<unsigned long long>(s.sent.load()),
                static_cast<unsigned long long>(s.acked.load()),
                static_cast<unsigned long long>(s.refused.load()),
                static_cast<unsigned long long>(s.resent.load()),
                static_cast<double>(s.acked.load() - acked_before) / interval,
                s.ack_latency.Percentile(50) * 1e3, s.ack_latency.Percentile(99) * 1e3);
  return buf;
}

}  // namespace

Status RunSim(const SimOptions& o) {
  if (o.devices < 1 || o.duration_seconds <= 0) {
    return Status::InvalidArgument("--devices and --duration must be positive");
  }
  if (o.qos != 0 && o.qos != 1) return Status::InvalidArgument("--qos must be 0 or 1");
  VIGIL_ASSIGN_OR_RETURN(auto planned, PlanDevices(o));

  SimStats stats;
  stats.keep_acked = !o.acked_out.empty();
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::vector<std::shared_ptr<SimDevice>> devices;
  uint32_t seed = 1;
  for (auto& p : planned) {
    auto model = MakeDeviceModel(p.type, seed++);
    p.options.period_seconds = o.rate_hz < 0    ? model->natural_period_seconds()
                               : o.rate_hz == 0 ? 0.0
                                                : 1.0 / o.rate_hz;
    VIGIL_ASSIGN_OR_RETURN(auto device, SimDevice::Create(io, p.options, std::move(model), stats));
    devices.push_back(std::move(device));
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, o.threads); ++i) threads.emplace_back([&io] { io.run(); });

  const auto started = SteadyClock::now();
  const auto stop_at = started + std::chrono::duration_cast<SteadyClock::duration>(
                                     std::chrono::duration<double>(o.duration_seconds));
  const auto give_up_at = stop_at + std::chrono::duration_cast<SteadyClock::duration>(
                                        std::chrono::duration<double>(o.drain_seconds));
  for (auto& d : devices) d->Start(stop_at, give_up_at);
  // Ctrl-C or SIGTERM: stop sending, wait for what is in flight, then summarize.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&devices](const boost::system::error_code& ec, int) {
    if (ec) return;
    for (auto& d : devices) d->StopSending();
  });

  const bool tty = ::isatty(STDERR_FILENO);
  uint64_t acked_before = 0;
  auto last = started;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    size_t live = 0;
    for (const auto& d : devices) live += d->finished() ? 0 : 1;
    const auto now = SteadyClock::now();
    const double interval = std::chrono::duration<double>(now - last).count();
    const double elapsed = std::chrono::duration<double>(now - started).count();
    std::cerr << (tty ? "\r" : "")
              << StatusLine(stats, elapsed, o.duration_seconds, live, acked_before, interval)
              << (tty ? "" : "\n") << std::flush;
    acked_before = stats.acked.load();
    last = now;
    if (live == 0) break;
  }
  if (tty) std::cerr << "\n";
  signals.cancel();
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();

  size_t unacked = 0;
  for (const auto& d : devices) unacked += d->unacknowledged();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  const nlohmann::json summary = {
      {"devices", devices.size()},
      {"seconds", seconds},
      {"sent", stats.sent.load()},
      {"resent", stats.resent.load()},
      {"acked", stats.acked.load()},
      {"refused", stats.refused.load()},
      {"unacknowledged", unacked},
      {"acks_per_second", static_cast<double>(stats.acked.load()) / o.duration_seconds},
      {"ack_p50_ms", stats.ack_latency.Percentile(50) * 1e3},
      {"ack_p99_ms", stats.ack_latency.Percentile(99) * 1e3},
      {"connects", stats.connects.load()},
      {"connect_failures", stats.connect_failures.load()},
      {"disconnects", stats.disconnects.load()}};
  if (o.json) {
    std::cout << summary.dump() << "\n";
  } else {
    std::cout << "Simulated " << devices.size() << " devices for " << o.duration_seconds
              << " s: sent " << stats.sent.load() << ", acknowledged " << stats.acked.load()
              << ", refused " << stats.refused.load() << ", unacknowledged " << unacked
              << " (resent after reconnects: " << stats.resent.load() << ")\n"
              << "  ack latency p50 " << summary["ack_p50_ms"].get<double>() << " ms, p99 "
              << summary["ack_p99_ms"].get<double>() << " ms; connects " << stats.connects.load()
              << ", disconnects " << stats.disconnects.load() << "\n";
  }
  if (!o.acked_out.empty()) {
    std::ofstream out(o.acked_out);
    for (const auto& id : stats.acked_ids) out << id << "\n";
    if (!out) return Status::IoError("cannot write " + o.acked_out);
  }
  if (unacked > 0) {
    return Status::Unavailable(std::to_string(unacked) + " readings were never acknowledged");
  }
  return Status::Ok();
}

}  // namespace vigil::sim
