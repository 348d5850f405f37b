#include "api/fhir_date.h"

#include <charconv>
#include <ctime>
#include <string>

#include "core/time_format.h"

namespace vigil::api {
namespace {

bool Digits(std::string_view s, size_t n, int& out) {
  if (s.size() < n) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + n, out);
  return ec == std::errc() && end == s.data() + n;
}

int64_t DaysFromCivil(int y, unsigned m, unsigned d) {  // days since 1970-01-01 (proleptic)
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysIn(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && Leap(y) ? 29 : kDays[m - 1];
}

constexpr int64_t kDay = 86'400'000;

// The interval a date or dateTime value spans, by its precision.
Result<std::pair<int64_t, int64_t>> Interval(std::string_view when) {
  const Status bad = Status::InvalidArgument(
      "date: use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]][Z|+hh:mm]");
  int year = 0, month = 1, day = 1;
  if (!Digits(when, 4, year) || year < 1) return bad;
  if (when.size() == 4) {
    const int64_t start = DaysFromCivil(year, 1, 1) * kDay;
    return std::pair{start, DaysFromCivil(year + 1, 1, 1) * kDay - 1};
  }
  if (when.size() < 7 || when[4] != '-' || !Digits(when.substr(5), 2, month) || month < 1 ||
      month > 12) {
    return bad;
  }
  if (when.size() == 7) {
    const int64_t start = DaysFromCivil(year, month, 1) * kDay;
    return std::pair{start, start + DaysIn(year, month) * kDay - 1};
  }
  if (when.size() < 10 || when[7] != '-' || !Digits(when.substr(8), 2, day) || day < 1 ||
      static_cast<unsigned>(day) > DaysIn(year, month)) {
    return bad;
  }
  if (when.size() == 10) {
    const int64_t start = DaysFromCivil(year, month, day) * kDay;
    return std::pair{start, start + kDay - 1};
  }
  if (when[10] != 'T') return bad;
  // A time: minutes at least. Without seconds it spans its minute; with seconds, its second
  // (or its millisecond with a fraction). No zone: UTC.
  std::string text(when);
  const size_t zone = text.find_first_of("Z+-", 11);
  std::string time = text.substr(11, zone == std::string::npos ? std::string::npos : zone - 11);
  const std::string tz = zone == std::string::npos ? "Z" : text.substr(zone);
  int64_t span = 0;
  if (time.size() == 5) {  // hh:mm
    time += ":00";
    span = 60'000;
  } else if (time.size() == 8) {
    span = 1000;
  } else if (time.size() > 9 && time[8] == '.') {
    span = 1;
  } else {
    return bad;
  }
  auto start = ParseRfc3339Millis(text.substr(0, 11) + time + tz);
  if (!start.ok()) return bad;
  return std::pair{*start, *start + span - 1};
}

}  // namespace

Result<DateCondition> ParseFhirDateSearch(std::string_view value) {
  std::string_view prefix = "eq";
  if (value.size() >= 2 && value[0] >= 'a' && value[0] <= 'z') {
    prefix = value.substr(0, 2);
    value.remove_prefix(2);
  }
  VIGIL_ASSIGN_OR_RETURN(auto interval, Interval(value));
  const auto [first, last] = interval;
  DateCondition c;
  // An Observation's effective instant is a point; the prefixes compare it with the interval.
  if (prefix == "eq") {
    c.from_ms = first;
    c.to_ms = last;
  } else if (prefix == "ne") {
    c.outside = std::pair{first, last};
  } else if (prefix == "ge") {
    c.from_ms = first;
  } else if (prefix == "gt" || prefix == "sa") {
    c.from_ms = last + 1;
  } else if (prefix == "le") {
    c.to_ms = last;
  } else if (prefix == "lt" || prefix == "eb") {
    c.to_ms = first - 1;
  } else {
    return Status::InvalidArgument("date prefix " + std::string(prefix) +
                                   " is not supported (eq, ne, gt, lt, ge, le, sa, eb)");
  }
  return c;
}

}  // namespace vigil::api
