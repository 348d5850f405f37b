#include "core/time_format.h"

#include <charconv>
#include <cstdio>

namespace vigil {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` decimal digits at `pos`.
bool Digits(std::string_view s, size_t pos, size_t width, int& out) {
  if (pos + width > s.size()) return false;
  for (size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + pos + width, out);
  return ec == std::errc() && ptr == s.data() + pos + width;
}

bool ParseDate(std::string_view s, int& y, int& mo, int& d) {
  return Digits(s, 0, 4, y) && s.size() >= 10 && s[4] == '-' && Digits(s, 5, 2, mo) &&
         s[7] == '-' && Digits(s, 8, 2, d) && mo >= 1 && mo <= 12 && d >= 1 &&
         d <= static_cast<int>(DaysInMonth(y, static_cast<unsigned>(mo)));
}

}  // namespace

Result<int64_t> ParseRfc3339Millis(std::string_view s) {
  const Status bad =
      Status::InvalidArgument("timestamp is not RFC 3339 (e.g. 2026-11-22T10:00:00Z)");
  int y, mo, d, h, mi, sec;
  if (!ParseDate(s, y, mo, d) || s.size() < 20 || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, h) || s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' ||
      !Digits(s, 17, 2, sec) || h > 23 || mi > 59 || sec > 60) {
    return bad;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad;
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  if (pos >= s.size()) return bad;
  int64_t offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return bad;
    }
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad;
  }
  if (pos != s.size()) return bad;
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const int64_t seconds =
      days * 86400 + h * 3600 + mi * 60 + std::min(sec, 59) - offset_minutes * 60;
  return seconds * 1000 + millis;
}

std::string FormatRfc3339Millis(int64_t epoch_millis) {
  std::string out;
  AppendRfc3339Millis(out, epoch_millis);
  return out;
}

void AppendRfc3339Millis(std::string& out, int64_t epoch_millis) {
  int64_t secs = epoch_millis / 1000;
  int64_t ms = epoch_millis % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[40];
  // Fixed-width digits written directly: this runs for every Observation rendered.
  auto digits = [](char* at, int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      at[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  if (y < 0 || y > 9999) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60),
                  static_cast<long long>(ms));
    out += buf;
    return;
  }
  const size_t at = out.size();
  out += "0000-00-00T00:00:00.000Z";
  digits(&out[at], y, 4);
  digits(&out[at + 5], m, 2);
  digits(&out[at + 8], d, 2);
  digits(&out[at + 11], rem / 3600, 2);
  digits(&out[at + 14], rem / 60 % 60, 2);
  digits(&out[at + 17], rem % 60, 2);
  digits(&out[at + 20], ms, 3);
}

Result<std::string> CanonicalDate(std::string_view text) {
  int y, mo, d;
  if (text.size() != 10 || !ParseDate(text, y, mo, d)) {
    return Status::InvalidArgument("date must be YYYY-MM-DD");
  }
  return std::string(text);
}

}  // namespace vigil
