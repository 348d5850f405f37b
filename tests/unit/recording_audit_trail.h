// An AuditTrail that keeps what it is given, for tests that check what a module records.
#pragma once

#include <mutex>
#include <vector>

#include "events/audit_trail.h"

namespace vigil::testing {

class RecordingAuditTrail final : public events::AuditTrail {
 public:
  Status Append(events::AuditRecord record) override {
    std::lock_guard lock(mu_);
    if (!failure_.ok()) return failure_;
    records_.push_back(std::move(record));
    return Status::Ok();
  }
  void AppendLater(events::AuditRecord record) override { (void)Append(std::move(record)); }
  // Every later Append fails with `failure` and records nothing (a disk that stopped writing).
  void FailWith(Status failure) {
    std::lock_guard lock(mu_);
    failure_ = std::move(failure);
  }
  // What was recorded so far, oldest first.
  std::vector<events::AuditRecord>& records() { return records_; }

 private:
  std::mutex mu_;
  std::vector<events::AuditRecord> records_;
  Status failure_;
};

}  // namespace vigil::testing
