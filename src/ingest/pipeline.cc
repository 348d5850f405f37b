#include "ingest/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>
#include <variant>

#include "crypto/bytes.h"
#include "crypto/ed25519.h"  // Base64Encode/Decode
#include "ingest/payload/device_payload.h"
#include "ingest/validate.h"
#include "model/observation.h"
#include "model/plausible_change.h"
#include "store/sealed_record.h"

namespace vigil::ingest {
namespace {

// A receipt stored before they were keyed holds the payload's plain SHA-256.
bool IsLegacyDigest(std::string_view stored, std::string_view payload) {
  const auto plain = crypto::Sha256(payload);
  return crypto::ConstantTimeEquals(
      stored, std::string_view(reinterpret_cast<const char*>(plain.data()), plain.size()));
}

}  // namespace

ReadingPipeline::ReadingPipeline(store::DeviceRegistry& devices, store::ReadingStore& readings,
                                 store::KeyRing& keys, ReadingCommitter& committer,
                                 const Clock& clock, const IngestLimits& limits,
                                 IngestMetrics& metrics, Readiness* readiness,
                                 events::SecurityEventSink* events)
    : devices_(devices),
      readings_(readings),
      keys_(keys),
      committer_(committer),
      clock_(clock),
      limits_(limits),
      metrics_(metrics),
      readiness_(readiness),
      events_(events),
      refusal_log_(clock, 5, 1000),
      failure_log_(clock, 5, 1000) {}

void ReadingPipeline::LogFailure(const std::string& line) {
  failure_log_.Log(spdlog::level::err, "hub", line);
}

void ReadingPipeline::Report(const DeviceIdentity& device, events::EventKind kind,
                             std::string_view reason, size_t size, int64_t at_ms, uint64_t seq) {
  if (!events_) return;
  events_->Submit({kind, at_ms, device.device_id, "", device.address, "", std::string(reason),
                   static_cast<int64_t>(size), seq});
}

void ReadingPipeline::Refuse(const DeviceIdentity& device, RefusalDetail refusal, size_t size,
                             int64_t at_ms, const Done& done, std::string_view event_reason,
                             uint64_t seq) {
  metrics_.Refused(refusal.reason);
  Report(device, events::EventKind::kReadingRefused,
         event_reason.empty() ? RefusalName(refusal.reason) : event_reason, size, at_ms, seq);
  uint64_t held_back = 0;
  // A full disk refuses every device: the hub says so once (server/storage_watch.h), not each.
  if (refusal.reason != Refusal::kStorageLow && refusal_log_.Allow(device.device_id, held_back)) {
    spdlog::warn("reading refused: device={} reason={} detail=\"{}\"{}", device.device_id,
                 RefusalName(refusal.reason), refusal.message,
                 held_back ? " (" + std::to_string(held_back) + " more refusals not logged)" : "");
  }
  IngestOutcome outcome;
  outcome.refusal = std::move(refusal);
  done(outcome);
}

void ReadingPipeline::Submit(const DeviceIdentity& device, std::string_view payload,
                             Delivery delivery, Done done) {
  const int64_t now = clock_.NowMillis();
  const size_t size = payload.size();
  if (size > limits_.max_payload_bytes) {
    return Refuse(device,
                  {Refusal::kTooLarge,
                   "payload over " + std::to_string(limits_.max_payload_bytes) + " bytes"},
                  size, now, done);
  }
  if (readiness_ && readiness_->Has(Readiness::Cause::kDiskSpace)) {
    return Refuse(device,
                  {Refusal::kStorageLow, "the hub is low on disk space; send it again later"}, size,
                  now, done);
  }
  auto decoded = DecodeDevicePayload(payload, now);
  if (!decoded.ok()) {
    return Refuse(device, {Refusal::kMalformedPayload, decoded.status().message()}, size, now,
                  done);
  }
  auto validated = ValidateMessage(*decoded, limits_, now);
  if (auto* refusal = std::get_if<RefusalDetail>(&validated)) {
    return Refuse(device, *refusal, size, now, done);
  }
  const model::Reading& reading = std::get<model::Reading>(validated);

  auto key = keys_.DataKey(device.patient_id);
  if (!key.ok()) {
    if (key.status().code() == StatusCode::kNotFound) {  // erased since the device connected
      return Refuse(device, {Refusal::kUnknownDevice, "the device's patient was erased"}, size, now,
                    done);
    }
    LogFailure("no data key for device=" + device.device_id + ": " + key.status().ToString());
    return Refuse(device, {Refusal::kStoreFailure, "the hub could not seal the reading"}, size, now,
                  done);
  }
  // Keyed by the patient's data key: once it is destroyed, nothing stored or in the ledger can
  // confirm a guessed payload (a plain hash of a heart rate could).
  const std::string digest_bytes = store::ReceiptDigest(*key, payload);
  IngestOutcome reserved = ReserveSequence(device, reading, digest_bytes, payload);
  if (reserved.refusal.refused()) {
    // A retransmission (DUP) is the same packet again: one that differs from the message
    // stored under its number is forged, not a lost acknowledgement.
    const bool forged_retransmission =
        reserved.refusal.reason == Refusal::kReplay && delivery == Delivery::kRetransmission;
    return Refuse(device, std::move(reserved.refusal), size, now, done,
                  forged_retransmission ? "replay_dup_mismatch" : "", reading.seq);
  }
  if (reserved.duplicate) {
    metrics_.duplicates_acknowledged.fetch_add(1);
    Report(device, events::EventKind::kReadingAccepted,
           delivery == Delivery::kRetransmission ? "retransmission" : "resend", size, now,
           reading.seq);
    return done(reserved);
  }

  store::ReadingCommit commit{
      device.device_id, reading.seq, digest_bytes, now, {}, std::string(reserved.SuspectReason())};
  Status sealing;
  for (const auto& obs :
       model::NormalizeReading(reading, device.patient_id, device.device_id, now)) {
    auto sealed = store::SealObservation(*key, obs);
    if (!sealed.ok()) {
      sealing = sealed.status();
      break;
    }
    commit.observations.push_back(std::move(sealed).value());
  }
  if (!sealing.ok()) {
    Release(device.device_id, reading.seq, false);
    LogFailure("sealing failed for device=" + device.device_id + ": " + sealing.ToString());
    return Refuse(device, {Refusal::kStoreFailure, "the hub could not seal the reading"}, size, now,
                  done);
  }
  const size_t count = commit.observations.size();
  committer_.Submit(
      std::move(commit), [this, device, seq = reading.seq, count, size, now, checks = reserved,
                          done = std::move(done)](const Status& status) {
        Release(device.device_id, seq, status.ok());
        if (!status.ok()) {
          LogFailure("commit failed for device=" + device.device_id + ": " + status.ToString());
          if (readiness_) {
            readiness_->Set(Readiness::Cause::kStoreWrites,
                            "readings cannot be stored: " + status.message());
          }
          return Refuse(device, {Refusal::kStoreFailure, "the hub could not store the reading"},
                        size, now, done);
        }
        if (readiness_) readiness_->Clear(Readiness::Cause::kStoreWrites);
        metrics_.messages_accepted.fetch_add(1);
        metrics_.observations_stored.fetch_add(count);
        Report(device, events::EventKind::kReadingAccepted, "", size, now, seq);
        if (checks.implausible_change || checks.timestamp_backwards) {  // one flag: counts once
          Report(device, events::EventKind::kReadingFlagged,
                 checks.implausible_change ? "implausible_change" : "timestamp_backwards", size,
                 now, seq);
        }
        if (checks.value_drift) {
          Report(device, events::EventKind::kReadingFlagged, "value_drift", size, now, seq);
        }
        if (!checks.inconsistent_vitals.empty()) {
          Report(device, events::EventKind::kReadingFlagged, "vitals_inconsistent", size, now, seq);
        }
        IngestOutcome outcome = checks;
        outcome.observations = count;
        done(outcome);
      });
}

IngestOutcome ReadingPipeline::ReserveSequence(const DeviceIdentity& device,
                                               const model::Reading& reading,
                                               const std::string& digest,
                                               std::string_view payload) {
  const uint64_t seq = reading.seq;
  Shard& shard = ShardOf(device.device_id);
  std::unique_lock lock(shard.mu);
  auto it = shard.sequences.find(device.device_id);
  if (it == shard.sequences.end()) {
    lock.unlock();  // first message of this device since start: its durable state
    auto record = devices_.FindDevice(device.device_id);
    lock.lock();
    if (!record.ok() || !*record) {
      return {{Refusal::kUnknownDevice, "the device is not enrolled"}, false, 0};
    }
    it = shard.sequences.try_emplace(device.device_id).first;
    it->second.highest_committed = std::max(it->second.highest_committed, (*record)->last_seq);
    it->second.patient_id = device.patient_id;
    std::lock_guard restored_lock(restored_mu_);
    if (auto saved = restored_.find(device.device_id); saved != restored_.end()) {
      if (saved->second.patient_id == device.patient_id) {
        it->second.trends = saved->second.trends;  // its normal, as learnt before a restart
      }
      restored_.erase(saved);
    }
  }
  SequenceState& state = it->second;
  if (seq > state.highest()) {
    state.pending.push_back(seq);
    IngestOutcome reserved;
    state.RememberValues(reading, reserved);
    return reserved;
  }
  const bool pending = state.IsPending(seq);
  lock.unlock();
  if (!pending) {
    auto stored = readings_.FindReceiptDigest(device.device_id, seq);
    if (stored.ok() && *stored &&
        (crypto::ConstantTimeEquals(**stored, digest) || IsLegacyDigest(**stored, payload))) {
      return {{}, true, 0};
    }
  }
  return {{Refusal::kReplay,
           "sequence number " + std::to_string(seq) + " is not above the last accepted one"},
          false,
          0};
}

void ReadingPipeline::SequenceState::RememberValues(const model::Reading& reading,
                                                    IngestOutcome& checks) {
  for (const auto& m : reading.measurements) {
    LastValue& previous = last[static_cast<size_t>(m.kind) % last.size()];
    if (previous.effective_ms >= 0 && m.effective_ms >= previous.effective_ms) {
      checks.implausible_change |= model::ImplausibleChange(
          m.kind, previous.value, previous.effective_ms, m.value, m.effective_ms);
    } else if (previous.effective_ms >= 0) {
      // Backdated: judged against the latest value all the same, over the time between them
      // (it used to skip the check), and said.
      checks.timestamp_backwards = true;
      checks.implausible_change |= model::ImplausibleChange(m.kind, m.value, m.effective_ms,
                                                            previous.value, previous.effective_ms);
    }
    if (m.effective_ms >= previous.effective_ms) previous = {m.value, m.effective_ms};
    const size_t k = static_cast<size_t>(m.kind) % trends.size();
    judged[k] = trends[k].Observe(m.kind, m.value, m.effective_ms);
    checks.value_drift |= judged[k].drifted;
  }
  checks.inconsistent_vitals = model::InconsistentVitals(reading, judged);
}

namespace {

// A device's normals per vital sign as JSON (model::VitalTrend::Saved, null for a kind not seen).
std::string TrendsJson(const std::array<model::VitalTrend, 8>& trends) {
  nlohmann::json kinds = nlohmann::json::array();
  for (const auto& t : trends) {
    kinds.push_back(t.empty() ? nlohmann::json() : nlohmann::json(t.Saved()));
  }
  return kinds.dump();
}

}  // namespace

std::string ReadingPipeline::SaveTrends() {
  // Copied out under the locks, sealed outside them: {device: {"patient", "sealed" (base64)}}.
  std::vector<std::tuple<std::string, std::string, std::string>> learnt;  // device, patient, JSON
  {
    std::lock_guard lock(restored_mu_);  // not yet taken up: kept as they were
    for (const auto& [id, r] : restored_)
      learnt.emplace_back(id, r.patient_id, TrendsJson(r.trends));
  }
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (const auto& [id, state] : shard.sequences) {
      if (std::any_of(state.trends.begin(), state.trends.end(),
                      [](const model::VitalTrend& t) { return !t.empty(); })) {
        learnt.emplace_back(id, state.patient_id, TrendsJson(state.trends));
      }
    }
  }
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [device, patient, trends] : learnt) {
    auto key = keys_.DataKey(patient);
    if (!key.ok()) continue;  // an erased patient's normals go with their key
    auto sealed = store::SealDeviceState(*key, patient, device, trends);
    if (sealed.ok()) j[device] = {{"patient", patient}, {"sealed", crypto::Base64Encode(*sealed)}};
  }
  return j.dump();
}

Status ReadingPipeline::RestoreTrends(std::string_view state) {
  const auto j = nlohmann::json::parse(state, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::DataLoss("the saved normals are not a JSON object");
  size_t skipped = 0;
  for (const auto& [device, saved] : j.items()) {
    ++skipped;  // until restored
    if (!saved.is_object() || !saved.value("patient", nlohmann::json()).is_string() ||
        !saved.value("sealed", nlohmann::json()).is_string()) {
      continue;
    }
    const std::string patient = saved["patient"].get<std::string>();
    const auto sealed = crypto::Base64Decode(saved["sealed"].get<std::string>());
    auto key = keys_.DataKey(patient);
    if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
      --skipped;  // the patient was erased: their device's normals go with them
      continue;
    }
    if (!sealed.ok() || !key.ok()) continue;
    auto opened = store::OpenDeviceState(*key, patient, device, *sealed);
    if (!opened.ok()) continue;
    const auto kinds = nlohmann::json::parse(*opened, nullptr, /*allow_exceptions=*/false);
    if (!kinds.is_array() || kinds.size() != 8) continue;
    --skipped;
    std::lock_guard lock(restored_mu_);
    Restored& r = restored_[device];
    r.patient_id = patient;
    for (size_t k = 0; k < 8; ++k) {
      if (kinds[k].is_array()) r.trends[k].Restore(kinds[k].get<std::vector<double>>());
    }
  }
  if (skipped == 0) return Status::Ok();
  return Status::DataLoss(std::to_string(skipped) + " of " + std::to_string(j.size()) +
                          " devices' saved normals could not be read");
}

std::string_view IngestOutcome::SuspectReason() const {
  if (!inconsistent_vitals.empty()) return "vitals_inconsistent";
  if (value_drift) return "value_drift";
  if (implausible_change) return "implausible_change";
  if (timestamp_backwards) return "timestamp_backwards";
  return {};
}

void ReadingPipeline::Release(const std::string& device_id, uint64_t seq, bool committed) {
  Shard& shard = ShardOf(device_id);
  std::lock_guard lock(shard.mu);
  SequenceState& state = shard.sequences[device_id];
  state.Unreserve(seq);
  if (committed) state.highest_committed = std::max(state.highest_committed, seq);
}

}  // namespace vigil::ingest
