// The path of one reading after its device is authenticated: decode, validate, check the
// sequence number against the device's durable state, normalize to FHIR Observations, seal under
// the patient's data key, group-commit, and only then report success. Shared by MQTT and HTTPS.
#pragma once

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/log_limiter.h"
#include "core/readiness.h"
#include "events/security_event.h"
#include "ingest/ingest_limits.h"
#include "ingest/ingest_metrics.h"
#include "ingest/reading_committer.h"
#include "ingest/refusal.h"
#include "model/reading.h"
#include "model/vital_trend.h"
#include "store/device_registry.h"
#include "store/keyring.h"
#include "store/reading_store.h"

namespace vigil::ingest {

// Who sent a message, as established by the transport (certificate CN = device id), and from
// where (the peer's IP address, for the security events).
struct DeviceIdentity {
  std::string device_id;
  std::string patient_id;
  std::string address = {};
};

// Whether the transport says this message is a retransmission (MQTT's DUP flag). A stored
// message sent again byte for byte is acknowledged again, DUP flag or not (a device whose
// acknowledgement was lost may resend as new: reported "retransmission" or "resend" for
// detection, which counts a message re-sent more than once as replayed); any other reuse of a
// sequence number is a replay.
enum class Delivery { kFirst, kRetransmission };

struct IngestOutcome {
  RefusalDetail refusal;    // reason kNone when stored (or already stored)
  bool duplicate = false;   // acknowledged as a retransmission; nothing stored again
  size_t observations = 0;  // Observations stored
  // Stored, but a value moved faster than physiology allows since the device's previous reading
  // (model/plausible_change.h): for the detection engine.
  bool implausible_change = false;
  // Stored, but a value is timestamped earlier than the device's latest one of that kind (its
  // sequence number being higher): a backdated reading, for the detection engine.
  bool timestamp_backwards = false;
  // Stored, but a value's recent level left the device's own normal (model/vital_trend.h).
  bool value_drift = false;
  // Stored, but its vital signs do not belong together (why: model::InconsistentVitals).
  std::string_view inconsistent_vitals = {};
  // Whether the stored Observations are marked suspect (any of the four above), and why.
  std::string_view SuspectReason() const;
};

class ReadingPipeline {
 public:
  using Done = std::function<void(const IngestOutcome&)>;

  // With `readiness`, messages are refused (kStorageLow) while it reports the disk nearly full,
  // and it is told whether commits succeed. With `events`, each message's fate is reported once
  // it is decided: kReadingAccepted (stored, or acknowledged again as a retransmission) or
  // kReadingRefused with the refusal's name ("replay_dup_mismatch" for a retransmission, DUP
  // flag set, that differs from the message stored under its sequence number), and
  // kReadingFlagged beside an accepted reading whose values changed implausibly fast
  // ("implausible_change"), whose time went backwards ("timestamp_backwards"), whose level
  // drifted from the device's normal ("value_drift"), or whose vital signs do not belong
  // together ("vitals_inconsistent"). A flagged reading's Observations are stored marked
  // suspect (store::ReadingCommit::suspect).
  ReadingPipeline(store::DeviceRegistry& devices, store::ReadingStore& readings,
                  store::KeyRing& keys, ReadingCommitter& committer, const Clock& clock,
                  const IngestLimits& limits, IngestMetrics& metrics,
                  Readiness* readiness = nullptr, events::SecurityEventSink* events = nullptr);

  // Processes one message. `done` is called exactly once: on the calling thread for a refusal
  // or a duplicate, on the writer thread once the reading is durable (or failed to be). Refusals
  // are counted in the metrics and logged without values. Thread-safe.
  void Submit(const DeviceIdentity& device, std::string_view payload, Delivery delivery, Done done);

  // The devices' normals per vital sign (model::VitalTrend), to keep across a restart: JSON
  // naming each device and its patient, the normals sealed under the patient's data key (they
  // are health data; an erased patient's are dropped). And back: a device's are taken up when
  // its first message arrives, if it still belongs to that patient. Thread-safe.
  std::string SaveTrends();
  // DataLoss when some could not be read (they learn anew); an erased patient's are no loss.
  Status RestoreTrends(std::string_view state);

 private:
  struct LastValue {
    double value = 0;
    int64_t effective_ms = -1;  // -1: none yet
  };
  struct SequenceState {
    uint64_t highest_committed = 0;
    // Reserved, not yet committed, ascending: a number is reserved only above all of them, so
    // it is appended (no allocation a message, as a tree's node would be).
    std::deque<uint64_t> pending;
    std::array<LastValue, 8> last{};              // per model::VitalKind, the latest value seen
    std::string patient_id;                       // whose the device's values are
    std::array<model::VitalTrend, 8> trends{};    // per kind, the device's own normal
    std::array<model::TrendReading, 8> judged{};  // per kind, the latest judgement
    uint64_t highest() const { return pending.empty() ? highest_committed : pending.back(); }
    bool IsPending(uint64_t seq) const {
      return std::binary_search(pending.begin(), pending.end(), seq);
    }
    void Unreserve(uint64_t seq) {
      const auto at = std::lower_bound(pending.begin(), pending.end(), seq);
      if (at != pending.end() && *at == seq) pending.erase(at);
    }
    // Whether a value of `reading` moved implausibly fast from the device's latest one of its
    // kind (over the time between them, whichever is earlier), whether one is timestamped
    // before it, whether a level drifted and whether the values belong together; remembers the
    // values that are the latest and learns them.
    void RememberValues(const model::Reading& reading, IngestOutcome& checks);
  };

  // Reserves the reading's sequence number for the device, or says why not (replay, duplicate);
  // a reserved reading's outcome says whether its values changed implausibly fast. `digest` is
  // the payload's receipt digest (store::ReceiptDigest); `payload` tells a resend of a message
  // stored before receipts were keyed (schema 14) from a replay.
  IngestOutcome ReserveSequence(const DeviceIdentity& device, const model::Reading& reading,
                                const std::string& digest, std::string_view payload);
  void Release(const std::string& device_id, uint64_t seq, bool committed);
  // A message that is not stored: counted, logged (rate-limited), reported; `done` told.
  // `event_reason` names the refusal for detection when it says more than the refusal's name.
  void Refuse(const DeviceIdentity& device, RefusalDetail refusal, size_t size, int64_t at_ms,
              const Done& done, std::string_view event_reason = {}, uint64_t seq = 0);
  void Report(const DeviceIdentity& device, events::EventKind kind, std::string_view reason,
              size_t size, int64_t at_ms, uint64_t seq = 0);
  void LogFailure(const std::string& line);  // rate-limited: 5 lines, then 1 a second

  store::DeviceRegistry& devices_;
  store::ReadingStore& readings_;
  store::KeyRing& keys_;
  ReadingCommitter& committer_;
  const Clock& clock_;
  const IngestLimits limits_;
  IngestMetrics& metrics_;
  Readiness* readiness_;               // may be null
  events::SecurityEventSink* events_;  // may be null (detection off)
  LogLimiter refusal_log_;             // per device: 5 lines, then 1 a second
  LogLimiter failure_log_;             // the hub's own failures (a full disk fails every commit)
  // Devices' sequence states, spread over shards by device id so that the I/O threads reserving
  // and the writer thread releasing (a commit's worth at a time) seldom wait on one lock.
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, SequenceState> sequences;  // by device id
  };
  Shard& ShardOf(std::string_view device_id) {
    return shards_[std::hash<std::string_view>{}(device_id) % shards_.size()];
  }
  std::array<Shard, 16> shards_;
  struct Restored {
    std::string patient_id;
    std::array<model::VitalTrend, 8> trends;
  };
  std::mutex restored_mu_;
  std::unordered_map<std::string, Restored> restored_;  // by device; not yet taken up
};

}  // namespace vigil::ingest
