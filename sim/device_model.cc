#include "sim/device_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/time_format.h"

namespace vigil::sim {
namespace {

constexpr double kPi = 3.14159265358979;

// Hour of day in [0, 24) of a time, for circadian rhythms.
double HourOfDay(int64_t time_ms) { return static_cast<double>((time_ms / 1000) % 86400) / 3600.0; }

// A patient's circadian offset: lowest at 04:00, highest at 16:00.
double Circadian(int64_t time_ms) { return -std::cos((HourOfDay(time_ms) - 4.0) / 24.0 * 2 * kPi); }

std::string Message(uint64_t seq, int64_t time_ms, const std::string& readings) {
  return "{\"seq\":" + std::to_string(seq) + ",\"ts\":\"" + FormatRfc3339Millis(time_ms) +
         "\",\"readings\":[" + readings + "]}";
}

std::string Reading(const char* type, double value, const char* unit, int decimals = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "{\"type\":\"%s\",\"value\":%.*f,\"unit\":\"%s\"}", type, decimals,
                value, unit);
  return buf;
}

class Base : public DeviceModel {
 protected:
  explicit Base(uint32_t seed) : rng_(seed) {}
  double Noise(double sd) { return std::normal_distribution<double>(0.0, sd)(rng_); }
  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  std::mt19937 rng_;
};

// Heart rate with circadian drift and occasional exercise bouts; SpO2 near 97%.
class Wearable : public Base {
 public:
  explicit Wearable(uint32_t seed, double period) : Base(seed), period_(period) {
    resting_ = 58 + Uniform() * 14;
  }
  std::string Next(uint64_t seq, int64_t t) override {
    if (exercise_left_ <= 0 && Uniform() < 0.002) exercise_left_ = 600;  // a 10-minute bout
    const double exertion = exercise_left_ > 0 ? 45.0 : 0.0;
    exercise_left_ -= period_;
    level_ += (resting_ + 6 * Circadian(t) + exertion - level_) * 0.1;
    const double hr = std::clamp(level_ + Noise(1.5), 35.0, 190.0);
    const double spo2 = std::clamp(97.5 - (exertion > 0 ? 1.5 : 0) + Noise(0.6), 88.0, 100.0);
    return Message(seq, t, Reading("heart_rate", hr, "/min") + "," + Reading("spo2", spo2, "%"));
  }
  double natural_period_seconds() const override { return period_; }

 private:
  double period_;
  double resting_;
  double level_ = 70;
  double exercise_left_ = 0;
};

class BpCuff : public Base {
 public:
  explicit BpCuff(uint32_t seed) : Base(seed) { baseline_ = 112 + Uniform() * 25; }
  std::string Next(uint64_t seq, int64_t t) override {
    const double sys = baseline_ + 8 * Circadian(t) + Noise(5);
    const double dia = sys * 0.64 + Noise(3);
    return Message(seq, t,
                   Reading("systolic_bp", sys, "mm[Hg]") + "," +
                       Reading("diastolic_bp", dia, "mm[Hg]") + "," +
                       Reading("heart_rate", 68 + Noise(4), "/min"));
  }
  double natural_period_seconds() const override { return 900; }

 private:
  double baseline_;
};

// Continuous glucose monitor: fasting level with meal responses at 07:30, 12:30 and 19:00.
class Cgm : public Base {
 public:
  explicit Cgm(uint32_t seed) : Base(seed) {}
  std::string Next(uint64_t seq, int64_t t) override {
    const double h = HourOfDay(t);
    double glucose = 92 + Noise(3);
    for (double meal : {7.5, 12.5, 19.0}) {
      const double since = h - meal;
      if (since > 0 && since < 3) glucose += 55 * since * std::exp(1 - since * 1.6) * 1.6;
    }
    return Message(seq, t, Reading("blood_glucose", glucose, "mg/dL"));
  }
  double natural_period_seconds() const override { return 300; }
};

class Thermometer : public Base {
 public:
  explicit Thermometer(uint32_t seed) : Base(seed) {}
  std::string Next(uint64_t seq, int64_t t) override {
    const double celsius = 36.8 + 0.3 * Circadian(t) + Noise(0.1);
    return Message(seq, t, Reading("body_temperature", celsius * 9 / 5 + 32, "degF", 1));
  }
  double natural_period_seconds() const override { return 60; }
};

}  // namespace

std::string_view DeviceTypeName(DeviceType type) {
  switch (type) {
    case DeviceType::kWearable:
      return "wearable";
    case DeviceType::kPulseOximeter:
      return "pulse-oximeter";
    case DeviceType::kBpCuff:
      return "bp-cuff";
    case DeviceType::kCgm:
      return "cgm";
    case DeviceType::kThermometer:
      return "thermometer";
  }
  return "wearable";
}

std::unique_ptr<DeviceModel> MakeDeviceModel(DeviceType type, uint32_t seed) {
  switch (type) {
    case DeviceType::kWearable:
      return std::make_unique<Wearable>(seed, 1.0);
    case DeviceType::kPulseOximeter:
      return std::make_unique<Wearable>(seed, 4.0);
    case DeviceType::kBpCuff:
      return std::make_unique<BpCuff>(seed);
    case DeviceType::kCgm:
      return std::make_unique<Cgm>(seed);
    case DeviceType::kThermometer:
      return std::make_unique<Thermometer>(seed);
  }
  return nullptr;
}

}  // namespace vigil::sim
