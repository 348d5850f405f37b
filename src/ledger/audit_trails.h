// The two AuditTrails over the ledger (events/audit_trail.h).
//   LedgerAuditTrail   each record appended in its own transaction (the CLI's one-off changes)
//   BatchedAuditTrail  records of many threads folded by one writer thread into one transaction
//                      and fsync (the running hub), optionally passed on once durable (SIEM)
#pragma once

#include <functional>
#include <span>

#include "core/batch_writer.h"
#include "core/log_limiter.h"
#include "events/audit_trail.h"
#include "ledger/ledger.h"

namespace vigil::ledger {

class LedgerAuditTrail final : public events::AuditTrail {
 public:
  explicit LedgerAuditTrail(Ledger& ledger) : ledger_(ledger) {}
  Status Append(events::AuditRecord record) override { return ledger_.Append({record}); }
  // Appended at once too; a failure is logged.
  void AppendLater(events::AuditRecord record) override;

 private:
  Ledger& ledger_;
};

class BatchedAuditTrail final : public events::AuditTrail {
 public:
  // Called with each group once it is durable (on the writer thread).
  using Durable = std::function<void(std::span<const LedgerEntry>)>;
  BatchedAuditTrail(Ledger& ledger, const Clock& clock, size_t max_batch, Durable durable = {});

  Status Append(events::AuditRecord record) override;
  void AppendLater(events::AuditRecord record) override;
  // Appends what is queued, then stops the writer thread. Idempotent.
  void Stop() { writer_.Stop(); }

 private:
  Ledger& ledger_;
  Durable durable_;
  LogLimiter failure_log_;
  BatchWriter<LedgerEntry> writer_;
};

}  // namespace vigil::ledger
