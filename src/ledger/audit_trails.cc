#include "ledger/audit_trails.h"

#include <spdlog/spdlog.h>

#include <future>

namespace vigil::ledger {

void LedgerAuditTrail::AppendLater(events::AuditRecord record) {
  if (Status s = ledger_.Append({record}); !s.ok()) {
    spdlog::error("audit entry not recorded: {}", s.ToString());
  }
}

BatchedAuditTrail::BatchedAuditTrail(Ledger& ledger, const Clock& clock, size_t max_batch,
                                     Durable durable)
    : ledger_(ledger),
      durable_(std::move(durable)),
      failure_log_(clock, 5, 1000),
      writer_(max_batch, [this](std::span<const LedgerEntry> entries) {
        Status appended = ledger_.Append({entries.begin(), entries.end()});
        if (appended.ok() && durable_) durable_(entries);
        return appended;
      }) {}

Status BatchedAuditTrail::Append(events::AuditRecord record) {
  std::promise<Status> durable;
  auto done = durable.get_future();
  writer_.Submit(std::move(record), [&durable](const Status& s) { durable.set_value(s); });
  return done.get();
}

void BatchedAuditTrail::AppendLater(events::AuditRecord record) {
  writer_.Submit(std::move(record), [this](const Status& s) {
    if (!s.ok()) {
      failure_log_.Log(spdlog::level::err, "audit", "audit entry not recorded: " + s.ToString());
    }
  });
}

}  // namespace vigil::ledger
