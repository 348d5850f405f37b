#include "model/plausible_change.h"

#include <cmath>

namespace vigil::model {
namespace {

struct ChangeBound {
  double step;        // any jump up to this is allowed (sensor noise, motion)
  double per_minute;  // plus this much per minute between the readings
};

// Per kind, in its canonical unit; a negative step: no bound (a weight scale is shared, a cuff
// reads every 15 minutes).
ChangeBound BoundOf(VitalKind kind) {
  switch (kind) {
    case VitalKind::kHeartRate:
      return {30, 60};  // /min: a sprint start raises it by ~60 within a minute
    case VitalKind::kSpo2:
      return {10, 30};  // %: an apnoea drops it ~10 points in half a minute
    case VitalKind::kRespiratoryRate:
      return {15, 20};
    case VitalKind::kBodyTemperature:
      return {0.6, 0.5};  // Cel
    case VitalKind::kBloodGlucose:
      return {30, 10};  // mg/dL: CGMs rarely see 4 mg/dL per minute
    case VitalKind::kSystolicBp:
    case VitalKind::kDiastolicBp:
    case VitalKind::kBodyWeight:
      break;
  }
  return {-1, 0};
}

constexpr int64_t kHorizonMs = 10 * 60'000;

}  // namespace

bool ImplausibleChange(VitalKind kind, double before, int64_t before_ms, double after,
                       int64_t after_ms) {
  const ChangeBound bound = BoundOf(kind);
  const int64_t elapsed = after_ms - before_ms;
  if (bound.step < 0 || elapsed < 0 || elapsed > kHorizonMs) return false;
  const double allowed = bound.step + bound.per_minute * static_cast<double>(elapsed) / 60'000;
  return std::abs(after - before) > allowed;
}

}  // namespace vigil::model
