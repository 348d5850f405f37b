// The detection engine: one thread that runs every rule over the event stream, off
// the acknowledgement path, in batches every 10 ms. Submitting never blocks or wakes anyone: the
// queue is bounded, and events that do not fit are shed, counted, and reported as an alert of their
// own. Repeats of an open alert (same kind and entity) fold into it; the sink hears of a new alert
// at once and of its repeats at most once a second.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "detect/rules.h"
#include "events/security_event.h"

namespace vigil::detect {

class DetectionEngine final : public events::SecurityEventSink {
 public:
  // `on_alert(alert, is_new)` runs on the engine's thread; for a new alert it returns the id the
  // alert was stored under (repeats carry it).
  using OnAlert = std::function<int64_t(const Alert&, bool is_new)>;

  // `save(name, state)` hears each rule's learned state (Rule::SaveState), on the engine's
  // thread, every `save_every_ms` and once more when the engine stops.
  using SaveState = std::function<void(const std::string& name, const std::string& state)>;

  DetectionEngine(const Clock& clock, std::vector<std::unique_ptr<Rule>> rules, OnAlert on_alert,
                  size_t capacity = 65'536, SaveState save = nullptr,
                  int64_t save_every_ms = 60'000);
  ~DetectionEngine() override;
  DetectionEngine(const DetectionEngine&) = delete;
  DetectionEngine& operator=(const DetectionEngine&) = delete;

  // Queues `event`; false if the queue was full and it was shed. Thread-safe, never blocks.
  bool Offer(SecurityEvent event);
  void Submit(SecurityEvent event) override { Offer(std::move(event)); }
  // Returns once every event submitted before the call has been through the rules.
  void Flush();
  // Processes what is queued, then stops the thread. Idempotent.
  void Stop();

  uint64_t processed() const { return processed_.load(); }
  uint64_t shed() const { return shed_.load(); }

 private:
  struct Open {
    Alert alert;
    int64_t notified_ms = 0;
  };
  void Run();
  void Raise(Alert alert);
  void SaveStates();

  const Clock& clock_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::array<std::vector<Rule*>, events::kEventKindCount> watching_;  // rules by event kind
  OnAlert on_alert_;
  const size_t capacity_;
  SaveState save_;
  const int64_t save_every_ms_;
  int64_t saved_ms_ = 0;  // engine thread only
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<SecurityEvent> queue_;
  bool stopping_ = false;
  bool busy_ = false;
  std::atomic<uint64_t> processed_{0}, shed_{0};
  uint64_t shed_reported_ = 0;
  std::unordered_map<std::string, Open> open_;  // by kind + '|' + entity; engine thread only
  std::thread thread_;
};

}  // namespace vigil::detect
