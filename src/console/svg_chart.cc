#include "console/svg_chart.h"

#include <algorithm>
#include <cmath>

#include "core/time_format.h"

namespace vigil::console {
namespace {

constexpr double kWidth = 720, kHeight = 240;
constexpr double kLeft = 48, kRight = 12, kTop = 12, kBottom = 28;

}  // namespace

Html LineChart(const std::string& title, const std::string& unit,
               const std::vector<ChartSeries>& series) {
  int64_t t0 = INT64_MAX, t1 = INT64_MIN;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& s : series) {
    for (const auto& p : s.points) {
      t0 = std::min(t0, p.time_ms);
      t1 = std::max(t1, p.time_ms);
      lo = std::min(lo, p.value);
      hi = std::max(hi, p.value);
    }
  }
  Html h;
  if (t0 > t1) return h;
  const double pad = std::max(1.0, (hi - lo) * 0.1);
  lo -= pad;
  hi += pad;
  const double span_t = std::max<double>(1, static_cast<double>(t1 - t0));
  const auto x = [&](int64_t t) {
    return kLeft + (kWidth - kLeft - kRight) * static_cast<double>(t - t0) / span_t;
  };
  const auto y = [&](double v) {
    return kTop + (kHeight - kTop - kBottom) * (1 - (v - lo) / (hi - lo));
  };
  h << "<svg class=\"chart\" viewBox=\"0 0 720 240\" role=\"img\" aria-label=\"";
  h.Text(title);
  h << "\"><title>";
  h.Text(title);
  h << "</title>";
  h << "<line class=\"axis\" x1=\"48\" y1=\"212\" x2=\"708\" y2=\"212\"/>"
       "<line class=\"axis\" x1=\"48\" y1=\"12\" x2=\"48\" y2=\"212\"/>";
  for (double v : {lo + pad, (lo + hi) / 2, hi - pad}) {
    h << "<text x=\"4\" y=\"";
    h.Fixed(y(v) + 4, 1);
    h << "\">";
    h.Fixed(v, 0);
    h << "</text>";
  }
  h << "<text x=\"48\" y=\"232\">";
  h.Text(FormatRfc3339Millis(t0).substr(11, 5));
  h << "</text><text x=\"640\" y=\"232\">";
  h.Text(FormatRfc3339Millis(t1).substr(11, 5));
  h << " UTC</text><text x=\"660\" y=\"24\">";
  h.Text(unit);
  h << "</text>";
  for (size_t i = 0; i < series.size() && i < 2; ++i) {
    if (series[i].points.empty()) continue;
    h << (i == 0 ? Literal("<polyline class=\"line\" points=\"")
                 : Literal("<polyline class=\"line2\" points=\""));
    for (const auto& p : series[i].points) {
      h.Fixed(x(p.time_ms), 1) << ",";
      h.Fixed(y(p.value), 1) << " ";
    }
    h << "\"/>";
    for (const auto& p : series[i].points) {
      if (!p.suspect) continue;
      h << "<circle class=\"flag\" r=\"4\" cx=\"";
      h.Fixed(x(p.time_ms), 1);
      h << "\" cy=\"";
      h.Fixed(y(p.value), 1);
      h << "\"/>";
    }
  }
  h << "</svg>";
  return h;
}

}  // namespace vigil::console
