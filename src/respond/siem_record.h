// What Vigil tells a SIEM: alerts and audit ledger entries as records that render as
// one JSON line each, or as an RFC 5424 syslog message (structured data under the private
// enterprise number 32473, which RFC 5612 reserves for documentation and examples). Records
// carry ids, kinds and reasons as the ledger does, never health data.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "events/alert.h"
#include "events/audit_record.h"

namespace vigil::respond {

struct SiemRecord {
  int64_t time_ms = 0;
  int facility = 13;  // RFC 5424: 13 log audit (ledger entries), 14 log alert (alerts)
  int severity = 6;   // RFC 5424: 2 critical, 3 error, 4 warning, 5 notice, 6 informational
  std::string type;   // "alert", or the ledger entry type ("login", "access", ...)
  std::map<std::string, std::string> fields;
};

SiemRecord SiemRecordOf(const events::Alert& alert, int64_t alert_id);
SiemRecord SiemRecordOf(const events::AuditRecord& entry);

// {"time":"...","source":"vigil","type":"...", fields...} on one line, no newline.
std::string SiemJsonLine(const SiemRecord& record, const std::string& hostname);

// "<PRI>1 TIMESTAMP HOSTNAME vigil PROCID TYPE [vigil@32473 k="v" ...] JSON", no framing.
std::string SiemSyslogMessage(const SiemRecord& record, const std::string& hostname, int procid);

}  // namespace vigil::respond
