#include "server/device_directory.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/x509_ca.h"

namespace vigil::server {

using ingest::ConnectionRefusal;

std::variant<ingest::DeviceIdentity, ConnectionRefusal> DeviceDirectory::Authenticate(
    std::string_view peer_certificate_der) {
  auto info = crypto::InspectCertificateDer(peer_certificate_der);
  if (!info.ok()) return ConnectionRefusal::kTlsHandshake;
  auto device = store_.FindDevice(info->subject_cn);
  if (!device.ok()) return ConnectionRefusal::kStoreUnavailable;  // the device is not at fault
  if (!*device) return ConnectionRefusal::kUnknownDevice;
  if ((*device)->status != store::DeviceStatus::kActive) return ConnectionRefusal::kRevoked;
  if ((*device)->quarantined) return ConnectionRefusal::kQuarantined;
  if (!crypto::ConstantTimeEquals((*device)->cert_fingerprint, info->sha256_fingerprint)) {
    return ConnectionRefusal::kCertificateMismatch;
  }
  {
    std::lock_guard lock(mu_);
    auto& seen = seen_[(*device)->id];
    seen = {(*device)->id, SystemClock::Instance().NowMillis(),
            info->not_after_epoch_seconds * 1000};
  }
  return ingest::DeviceIdentity{(*device)->id, (*device)->patient_id};
}

std::vector<store::DeviceActivity> DeviceDirectory::TakeActivity() {
  std::lock_guard lock(mu_);
  for (auto& [id, c] : live_) {
    const int64_t heard = c.heard_at ? c.heard_at->load(std::memory_order_relaxed) : 0;
    if (heard <= c.reported_ms) continue;
    c.reported_ms = heard;
    auto& seen = seen_[id];
    seen.device_id = id;
    seen.last_seen_ms = std::max(seen.last_seen_ms, heard);
  }
  std::vector<store::DeviceActivity> out;
  out.reserve(seen_.size());
  for (auto& [id, a] : seen_) out.push_back(std::move(a));
  seen_.clear();
  return out;
}

uint64_t DeviceDirectory::Register(const std::string& device_id, CloseFunction close,
                                   HeardAt heard_at) {
  CloseFunction displaced;
  uint64_t token;
  {
    std::lock_guard lock(mu_);
    token = next_token_++;
    auto& slot = live_[device_id];
    displaced = std::move(slot.close);
    slot = {token, std::move(close), std::move(heard_at)};
  }
  if (displaced) {
    spdlog::warn("device={} connected again; closing its previous connection", device_id);
    displaced(CloseReason::kTakenOver);
  }
  return token;
}

void DeviceDirectory::Unregister(const std::string& device_id, uint64_t token) {
  std::lock_guard lock(mu_);
  auto it = live_.find(device_id);
  if (it != live_.end() && it->second.token == token) live_.erase(it);
}

size_t DeviceDirectory::RefreshRevocations() {
  auto devices = store_.ListDevices();
  if (!devices.ok()) {
    errors_.Log(spdlog::level::err, "devices",
                "cannot read device states: " + devices.status().ToString());
    return 0;
  }
  std::vector<CloseFunction> to_close;
  {
    std::lock_guard lock(mu_);
    vitals_only_.clear();
    for (const auto& d : *devices) {
      if (d.vitals_only) vitals_only_.insert(d.id);
      if (d.status == store::DeviceStatus::kActive && !d.quarantined) continue;
      auto it = live_.find(d.id);
      if (it == live_.end()) continue;
      spdlog::warn("device={} {}; dropping its connection", d.id,
                   d.quarantined ? "quarantined" : "revoked");
      to_close.push_back(std::move(it->second.close));
      live_.erase(it);
    }
  }
  for (auto& close : to_close) close(CloseReason::kAccessWithdrawn);
  return to_close.size();
}

bool DeviceDirectory::IsVitalsOnly(const std::string& device_id) {
  std::lock_guard lock(mu_);
  return vitals_only_.count(device_id) > 0;
}

}  // namespace vigil::server
