#include "console/vitals_view.h"

#include <algorithm>
#include <array>

#include "console/svg_chart.h"
#include "model/observation.h"
#include "model/vitals.h"
#include "store/observation_reader.h"

namespace vigil::console {
namespace {

using model::VitalKind;

constexpr size_t kKinds = 8;

struct Latest {
  double value = 0;
  int64_t time_ms = 0;
  std::string suspect;
  bool seen = false;
};

// Plain names for people (not LOINC's displays).
std::string_view Label(VitalKind kind) {
  switch (kind) {
    case VitalKind::kHeartRate:
      return "Heart rate";
    case VitalKind::kSpo2:
      return "Oxygen saturation (SpO2)";
    case VitalKind::kRespiratoryRate:
      return "Breathing rate";
    case VitalKind::kBodyTemperature:
      return "Temperature";
    case VitalKind::kSystolicBp:
      return "Blood pressure, systolic";
    case VitalKind::kDiastolicBp:
      return "Blood pressure, diastolic";
    case VitalKind::kBloodGlucose:
      return "Blood glucose";
    case VitalKind::kBodyWeight:
      return "Weight";
  }
  return "";
}

int Decimals(VitalKind kind) {
  return kind == VitalKind::kBodyTemperature || kind == VitalKind::kBodyWeight ? 1 : 0;
}

}  // namespace

Result<Html> VitalsView(api::RouteContext& context, const api::ApiRequest& request,
                        const api::Session& session, const std::string& patient_id, int hours) {
  store::Store& store = context.deps.store;
  store::ObservationQuery query;
  query.patient_id = patient_id;
  query.from_ms = context.deps.clock.NowMillis() - int64_t{hours} * 3'600'000;
  query.newest_first = true;
  query.limit = kChartRows;
  std::array<ChartSeries, kKinds> series;
  std::array<Latest, kKinds> latest;
  size_t rows = 0;
  store::ObservationReader reader(store, context.deps.keys, patient_id);
  VIGIL_RETURN_IF_ERROR(reader.Visit(query, [&](const model::Observation& observation) {
    ++rows;
    const bool suspect = !observation.suspect.empty();
    for (const auto& m : observation.measurements) {
      const size_t k = static_cast<size_t>(m.kind);
      if (k >= kKinds) continue;
      series[k].points.push_back({m.effective_ms, m.value, suspect});
      if (!latest[k].seen) latest[k] = {m.value, m.effective_ms, observation.suspect, true};
    }
    return true;
  }));
  context.ReportSent(request, session, patient_id, rows);
  Html h;
  if (rows == 0) {
    h << "<p>No readings in the last ";
    h.Int(hours);
    h << " hours.</p>";
    return h;
  }
  h << "<h2>Latest</h2><table><thead><tr><th scope=\"col\">Vital sign</th>"
       "<th scope=\"col\">Value</th><th scope=\"col\">Measured</th></tr></thead><tbody>";
  for (size_t k = 0; k < kKinds; ++k) {
    if (!latest[k].seen) continue;
    const auto kind = static_cast<VitalKind>(k);
    h << "<tr><td>";
    h.Text(Label(kind));
    h << "</td><td>";
    h.Fixed(latest[k].value, Decimals(kind)).Text(" ").Text(model::SpecOf(kind).unit_display);
    if (!latest[k].suspect.empty()) {
      h << " <span class=\"suspect\">doubtful (";
      h.Text(latest[k].suspect);
      h << "): check the patient before acting on it</span>";
    }
    h << "</td><td>";
    h.Time(latest[k].time_ms) << "</td></tr>";
  }
  h << "</tbody></table><h2>Over the last ";
  h.Int(hours);
  h << " hours</h2><p>Red marks are readings the hub doubts.</p>";
  for (size_t k = 0; k < kKinds; ++k) {
    const auto kind = static_cast<VitalKind>(k);
    if (kind == VitalKind::kDiastolicBp || series[k].points.empty()) continue;
    std::vector<ChartSeries> shown;
    series[k].label = Label(kind);
    std::reverse(series[k].points.begin(), series[k].points.end());  // oldest first
    shown.push_back(std::move(series[k]));
    std::string title(Label(kind));
    if (kind == VitalKind::kSystolicBp) {
      auto& diastolic = series[static_cast<size_t>(VitalKind::kDiastolicBp)];
      std::reverse(diastolic.points.begin(), diastolic.points.end());
      shown.push_back(std::move(diastolic));
      title = "Blood pressure (systolic and diastolic)";
    }
    h << "<h3>";
    h.Text(title);
    h << "</h3>" << LineChart(title, std::string(model::SpecOf(kind).unit_display), shown);
  }
  return h;
}

}  // namespace vigil::console
