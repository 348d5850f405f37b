// Physiological models for simulated devices: each produces the readings a real device of its
// type would send, as a Vigil JSON payload, from the simulated time. Deterministic per seed.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace vigil::sim {

enum class DeviceType { kWearable, kPulseOximeter, kBpCuff, kCgm, kThermometer };

// The enrolment type name ("wearable", "pulse-oximeter", ...).
std::string_view DeviceTypeName(DeviceType type);

class DeviceModel {
 public:
  virtual ~DeviceModel() = default;
  // The payload of message `seq` measured at `time_ms`.
  virtual std::string Next(uint64_t seq, int64_t time_ms) = 0;
  // How often a real device of this type sends, in seconds.
  virtual double natural_period_seconds() const = 0;
};

std::unique_ptr<DeviceModel> MakeDeviceModel(DeviceType type, uint32_t seed);

}  // namespace vigil::sim
