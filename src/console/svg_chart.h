// A vital sign over time as an inline SVG line chart, drawn on the server (no script): one or
// two series (systolic and diastolic share a chart), suspect readings marked, axes labelled.
#pragma once

#include <string>
#include <vector>

#include "console/html.h"

namespace vigil::console {

struct ChartPoint {
  int64_t time_ms = 0;
  double value = 0;
  bool suspect = false;  // the hub doubts it: drawn as a red mark
};

struct ChartSeries {
  std::string label;               // "Heart rate", for the legend
  std::vector<ChartPoint> points;  // oldest first
};

// The chart of `series` (at most two), `unit` on the value axis; the accessible name is `title`.
// Nothing is drawn for a series without points.
Html LineChart(const std::string& title, const std::string& unit,
               const std::vector<ChartSeries>& series);

}  // namespace vigil::console
