#include "respond/siem_record.h"

#include "core/json_string.h"
#include "core/time_format.h"
#include "events/audit_records.h"

namespace vigil::respond {
namespace {

int SyslogSeverity(events::Severity severity) {
  switch (severity) {
    case events::Severity::kCritical:
      return 2;
    case events::Severity::kHigh:
      return 3;
    case events::Severity::kMedium:
      return 4;
    case events::Severity::kLow:
      return 5;
  }
  return 5;
}

// RFC 5424 section 6.3.3: '"', '\' and ']' are escaped in a PARAM-VALUE.
void AppendParamValue(std::string& out, const std::string& value) {
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out.push_back('\\');
    out.push_back(c);
  }
}

// An SD-NAME is 1-32 printable US-ASCII characters other than '=', ' ', ']' and '"'.
std::string SdName(const std::string& name) {
  std::string out;
  for (char c : name.substr(0, 32)) {
    const bool ok = c > 32 && c < 127 && c != '=' && c != ']' && c != '"';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "_" : out;
}

// A header field: printable US-ASCII without spaces, at most `max` characters, "-" if empty.
std::string HeaderField(const std::string& value, size_t max) {
  std::string out;
  for (char c : value.substr(0, max)) out.push_back(c > 32 && c < 127 ? c : '_');
  return out.empty() ? "-" : out;
}

}  // namespace

SiemRecord SiemRecordOf(const events::Alert& a, int64_t alert_id) {
  SiemRecord r;
  r.time_ms = a.first_ms;
  r.facility = 14;
  r.severity = SyslogSeverity(a.severity);
  r.type = "alert";
  r.fields = {{"alert", std::to_string(alert_id)},
              {"kind", std::string(events::AlertKindName(a.kind))},
              {"severity", std::string(events::SeverityName(a.severity))},
              {"entity", a.entity.ToString()},
              {"technique", a.technique},
              {"summary", a.summary}};
  for (const auto& [k, v] : a.evidence) r.fields["evidence." + k] = v;
  return r;
}

SiemRecord SiemRecordOf(const events::AuditRecord& e) {
  SiemRecord r;
  r.time_ms = e.time_ms;
  r.type = std::string(events::AuditTypeName(e.type));
  r.fields = e.fields;
  namespace audit = events::audit;
  const auto access = events::As<audit::Access>(e);
  const auto login = events::As<audit::Login>(e);
  const auto mfa = events::As<audit::Mfa>(e);
  const bool refused =
      (access && access->decision == "denied") || (login && login->outcome != "password_ok") ||
      (mfa && mfa->outcome != "ok") || e.type == events::AuditType::kConnectionRefused;
  r.severity = refused ? 5 : 6;
  return r;
}

std::string SiemJsonLine(const SiemRecord& r, const std::string& hostname) {
  std::string out = "{\"time\":\"" + FormatRfc3339Millis(r.time_ms) + "\",\"host\":";
  AppendJsonString(out, hostname);
  out += ",\"source\":\"vigil\",\"type\":";
  AppendJsonString(out, r.type);
  for (const auto& [k, v] : r.fields) {
    out.push_back(',');
    AppendJsonString(out, k);
    out.push_back(':');
    AppendJsonString(out, v);
  }
  out.push_back('}');
  return out;
}

std::string SiemSyslogMessage(const SiemRecord& r, const std::string& hostname, int procid) {
  std::string out = "<" + std::to_string(r.facility * 8 + r.severity) + ">1 " +
                    FormatRfc3339Millis(r.time_ms) + " " + HeaderField(hostname, 255) + " vigil " +
                    std::to_string(procid) + " " + HeaderField(r.type, 32) + " [vigil@32473";
  for (const auto& [k, v] : r.fields) {
    out += " " + SdName(k) + "=\"";
    AppendParamValue(out, v);
    out.push_back('"');
  }
  out += "] " + SiemJsonLine(r, hostname);
  return out;
}

}  // namespace vigil::respond
