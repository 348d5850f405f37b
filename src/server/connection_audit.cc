#include "server/connection_audit.h"

#include "events/audit_records.h"

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
                                const std::string& protocol, const std::string& tls_client) {
  if (events_) {
    events_->Submit({events::EventKind::kConnectionAccepted, clock_.NowMillis(), device_id, "",
                     address, "", tls_client});
  }
  uint64_t suppressed = 0;
  if (!per_device_.Allow(device_id, suppressed)) return;
  audit_.AppendLater(
      events::Record(clock_.NowMillis(), events::audit::DeviceConnected{.device = device_id,
                                                                        .address = address,
                                                                        .protocol = protocol,
                                                                        .suppressed = suppressed}));
}

void ConnectionAudit::Refused(std::string_view reason, const std::string& address,
                              const std::string& device_id, const std::string& protocol) {
  if (events_) {
    events_->Submit({events::EventKind::kConnectionRefused, clock_.NowMillis(), device_id, "",
                     address, "", std::string(reason)});
  }
  events::audit::ConnectionRefused entry{
      .reason = std::string(reason), .address = address, .protocol = protocol};
  if (!device_id.empty()) {
    if (!per_address_.Allow(address, entry.suppression.suppressed)) return;
    entry.device = device_id;
  } else {
    const auto admitted = anonymous_.Admit(address);
    if (!admitted.write) return;
    entry.suppression = {.prefix = admitted.prefix,
                         .suppressed = admitted.suppressed,
                         .suppressed_elsewhere = admitted.suppressed_all};
  }
  audit_.AppendLater(events::Record(clock_.NowMillis(), entry));
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
