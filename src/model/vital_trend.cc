#include "model/vital_trend.h"

#include <algorithm>
#include <cmath>

namespace vigil::model {
namespace {

// The smallest departure from a device's normal that is a trend worth a look, per kind in its
// canonical unit (a clinician's "this has changed"); negative: not modelled.
double ClinicalStep(VitalKind kind) {
  switch (kind) {
    case VitalKind::kHeartRate:
      return 50;  // /min (sleep lowers it by 10-20, a wearer's exercise raises it by 40-60)
    case VitalKind::kSpo2:
      return 5;  // %
    case VitalKind::kRespiratoryRate:
      return 8;  // /min
    case VitalKind::kBodyTemperature:
      return 1.2;  // Cel
    case VitalKind::kSystolicBp:
      return 30;  // mm[Hg]
    case VitalKind::kDiastolicBp:
      return 20;  // mm[Hg]
    case VitalKind::kBloodGlucose:
      return 60;  // mg/dL
    case VitalKind::kBodyWeight:
      break;
  }
  return -1;
}

constexpr double kSpreadsToDrift = 6;
constexpr double kMadToSd = 1.2533;      // mean absolute deviation to a standard deviation (normal)
constexpr double kMaxAnchorRate = 0.02;  // after a long silence the normal is relearnt, slowly

double Smoothing(double elapsed_ms, double tau_ms) { return 1 - std::exp(-elapsed_ms / tau_ms); }

}  // namespace

TrendReading VitalTrend::Observe(VitalKind kind, double value, int64_t effective_ms) {
  const double step = ClinicalStep(kind);
  TrendReading r;
  if (step < 0) return r;
  if (samples_ == 0) {
    anchor_ = level_ = value;
    last_ms_ = effective_ms;
    samples_ = 1;
    return r;
  }
  if (effective_ms >= last_ms_) {  // a backdated reading is judged by the model as it stands
    const double elapsed = static_cast<double>(effective_ms - last_ms_);
    last_ms_ = effective_ms;
    level_ += Smoothing(elapsed, kLevelTauMs) * (value - level_);
    ++samples_;
    if (samples_ <= kWarmupReadings) {  // exact mean and mean absolute deviation
      const double n = static_cast<double>(samples_);
      anchor_ += (value - anchor_) / n;
      mad_ += (std::abs(value - anchor_) - mad_) / n;
    } else {
      const double spread = std::max(kMadToSd * mad_, step / 10);
      const bool departed = std::abs(level_ - anchor_) > std::max(step, kSpreadsToDrift * spread);
      const double rate =
          std::min(Smoothing(elapsed, kAnchorTauMs), kMaxAnchorRate) * (departed ? 0.1 : 1.0);
      anchor_ += rate * (value - anchor_);
      mad_ += rate * (std::abs(value - anchor_) - mad_);
    }
  }
  r.warm = samples_ > kWarmupReadings;
  r.level = level_;
  r.anchor = anchor_;
  r.spread = std::max(kMadToSd * mad_, step / 10);
  r.drifted = r.warm && std::abs(r.departure()) > std::max(step, kSpreadsToDrift * r.spread);
  return r;
}

std::array<double, 5> VitalTrend::Saved() const {
  return {static_cast<double>(samples_), static_cast<double>(last_ms_), anchor_, mad_, level_};
}

void VitalTrend::Restore(const std::vector<double>& saved) {
  if (saved.size() != 5 || saved[0] < 0) return;
  samples_ = static_cast<int64_t>(saved[0]);
  last_ms_ = static_cast<int64_t>(saved[1]);
  anchor_ = saved[2];
  mad_ = saved[3];
  level_ = saved[4];
}

std::string_view InconsistentVitals(const Reading& reading,
                                    const std::array<TrendReading, 8>& trend_by_kind) {
  const auto trend = [&](VitalKind k) -> const TrendReading& {
    return trend_by_kind[static_cast<size_t>(k)];
  };
  bool has_heart_rate = false;
  for (const Measurement& sys : reading.measurements) {
    has_heart_rate |= sys.kind == VitalKind::kHeartRate;
    if (sys.kind != VitalKind::kSystolicBp) continue;
    for (const Measurement& dia : reading.measurements) {
      if (dia.kind == VitalKind::kDiastolicBp && dia.effective_ms == sys.effective_ms &&
          sys.value - dia.value < 10) {
        return "systolic pressure not above the diastolic by 10 mmHg";
      }
    }
  }
  const TrendReading& sys = trend(VitalKind::kSystolicBp);
  const TrendReading& dia = trend(VitalKind::kDiastolicBp);
  if (sys.drifted && dia.warm) {
    const double along = sys.departure() > 0 ? dia.departure() : -dia.departure();
    if (along < std::abs(sys.departure()) / 6) {
      return "systolic pressure moved from its normal without the diastolic";
    }
  }
  const TrendReading& spo2 = trend(VitalKind::kSpo2);
  const TrendReading& pulse = trend(VitalKind::kHeartRate);
  if (has_heart_rate && spo2.drifted && spo2.departure() <= -8 && pulse.warm &&
      std::abs(pulse.departure()) < 2) {
    return "oxygen saturation fell from its normal without a pulse response";
  }
  return {};
}

}  // namespace vigil::model
