#include "ingest/ingest_history.h"

namespace vigil::ingest {

IngestHistory::Totals IngestHistory::Read(const IngestMetrics& metrics) {
  Totals t;
  t.accepted = metrics.messages_accepted.load(std::memory_order_relaxed);
  for (size_t i = 0; i < metrics.messages_refused.size(); ++i) {
    const uint64_t n = metrics.messages_refused[i].load(std::memory_order_relaxed);
    if (n > 0) t.refused[std::string(RefusalName(static_cast<Refusal>(i)))] += n;
  }
  for (size_t i = 0; i < metrics.connections_refused.size(); ++i) {
    const uint64_t n = metrics.connections_refused[i].load(std::memory_order_relaxed);
    if (n > 0) {
      t.refused["connection: " +
                std::string(ConnectionRefusalName(static_cast<ConnectionRefusal>(i)))] += n;
    }
  }
  return t;
}

void IngestHistory::Sample(int64_t now_ms, const IngestMetrics& metrics) {
  Totals now = Read(metrics);
  std::lock_guard lock(mu_);
  if (have_baseline_) {
    IngestSample s;
    s.time_ms = now_ms;
    s.span_ms = now_ms - last_ms_;
    s.accepted = now.accepted - last_.accepted;
    for (const auto& [reason, total] : now.refused) {
      const auto before = last_.refused.find(reason);
      const uint64_t n = total - (before == last_.refused.end() ? 0 : before->second);
      if (n == 0) continue;
      s.refused_by_reason[reason] = n;
      s.refused += n;
    }
    samples_.push_back(std::move(s));
  }
  have_baseline_ = true;
  last_ms_ = now_ms;
  last_ = std::move(now);
  while (!samples_.empty() && samples_.front().time_ms <= now_ms - window_ms_) {
    samples_.pop_front();
  }
}

std::vector<IngestSample> IngestHistory::Samples() const {
  std::lock_guard lock(mu_);
  return {samples_.begin(), samples_.end()};
}

}  // namespace vigil::ingest
