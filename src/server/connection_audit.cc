#include "server/connection_audit.h"

namespace vigil::server {
namespace {

constexpr int kBurst = 10;
constexpr int64_t kInterval = 60'000;

}  // namespace

ConnectionAudit::ConnectionAudit(const Clock& clock, events::AuditTrail& audit,
                                 events::SecurityEventSink* events)
    : clock_(clock),
      audit_(audit),
      events_(events),
      per_device_(clock, kBurst, kInterval),
      per_address_(clock, kBurst, kInterval),
      anonymous_(clock) {}

void ConnectionAudit::Connected(const std::string& device_id, const std::string& address,
                                const std::string& protocol) {
  if (events_) {
    events_->Submit({events::EventKind::kConnectionAccepted, clock_.NowMillis(), device_id, "",
                     address, "", ""});
  }
  uint64_t suppressed = 0;
  if (!per_device_.Allow(device_id, suppressed)) return;
  events::AuditRecord entry{events::AuditType::kDeviceConnected,
                            clock_.NowMillis(),
                            {{"device", device_id}, {"address", address}, {"protocol", protocol}}};
  if (suppressed > 0) entry.fields["suppressed"] = std::to_string(suppressed);
  audit_.AppendLater(std::move(entry));
}

void ConnectionAudit::Refused(std::string_view reason, const std::string& address,
                              const std::string& device_id, const std::string& protocol) {
  if (events_) {
    events_->Submit({events::EventKind::kConnectionRefused, clock_.NowMillis(), device_id, "",
                     address, "", std::string(reason)});
  }
  events::AuditRecord entry{
      events::AuditType::kConnectionRefused,
      clock_.NowMillis(),
      {{"reason", std::string(reason)}, {"address", address}, {"protocol", protocol}}};
  uint64_t suppressed = 0;
  if (!device_id.empty()) {
    if (!per_address_.Allow(address, suppressed)) return;
    entry.fields["device"] = device_id;
  } else {
    const auto admitted = anonymous_.Admit(address);
    if (!admitted.write) return;
    suppressed = admitted.suppressed;
    entry.fields["prefix"] = admitted.prefix;
    if (admitted.suppressed_all > 0) {
      entry.fields["suppressed_elsewhere"] = std::to_string(admitted.suppressed_all);
    }
  }
  if (suppressed > 0) entry.fields["suppressed"] = std::to_string(suppressed);
  audit_.AppendLater(std::move(entry));
}

void ConnectionAudit::Disconnected(const std::string& device_id, const std::string& address) {
  if (events_) {
    events_->Submit(
        {events::EventKind::kDisconnected, clock_.NowMillis(), device_id, "", address, "", ""});
  }
}

void ConnectionAudit::MessageRefused(const std::string& device_id, const std::string& address,
                                     std::string_view reason) {
  if (events_) {
    events_->Submit({events::EventKind::kReadingRefused, clock_.NowMillis(), device_id, "", address,
                     "", std::string(reason)});
  }
}

}  // namespace vigil::server
