#include "detect/detection_engine.h"

#include <chrono>

namespace vigil::detect {
namespace {

constexpr int64_t kRepeatNotifyMs = 1000;
// The engine wakes on its own this often rather than being woken per event: a futex wake per
// device message cost more than the rules themselves. Alerts are still raised within ~10 ms.
constexpr auto kPollInterval = std::chrono::milliseconds(10);
constexpr int64_t kForgetAfterMs = 10 * 60'000;  // an alert quiet this long opens anew

std::array<std::vector<Rule*>, events::kEventKindCount> IndexByKind(
    const std::vector<std::unique_ptr<Rule>>& rules) {
  std::array<std::vector<Rule*>, events::kEventKindCount> index;
  for (int kind = 0; kind < events::kEventKindCount; ++kind) {
    for (const auto& rule : rules) {
      if (rule->Watches() & KindBit(static_cast<EventKind>(kind)))
        index[kind].push_back(rule.get());
    }
  }
  return index;
}

}  // namespace

DetectionEngine::DetectionEngine(const Clock& clock, std::vector<std::unique_ptr<Rule>> rules,
                                 OnAlert on_alert, size_t capacity, SaveState save,
                                 int64_t save_every_ms)
    : clock_(clock),
      rules_(std::move(rules)),
      watching_(IndexByKind(rules_)),
      on_alert_(std::move(on_alert)),
      capacity_(capacity),
      save_(std::move(save)),
      save_every_ms_(save_every_ms),
      saved_ms_(clock.NowMillis()),
      thread_([this] { Run(); }) {}

void DetectionEngine::SaveStates() {
  if (!save_) return;
  for (const auto& rule : rules_) {
    const std::string name = rule->StateName();
    if (!name.empty()) save_(name, rule->SaveState());
  }
  saved_ms_ = clock_.NowMillis();
}

DetectionEngine::~DetectionEngine() { Stop(); }

bool DetectionEngine::Offer(SecurityEvent event) {
  std::lock_guard lock(mu_);
  if (stopping_ || queue_.size() >= capacity_) {
    shed_.fetch_add(1);
    return false;
  }
  queue_.push_back(std::move(event));
  if (queue_.size() == capacity_ / 2) wake_.notify_one();  // filling up: do not wait the poll
  return true;
}

void DetectionEngine::Flush() {
  std::unique_lock lock(mu_);
  wake_.notify_one();
  idle_.wait(lock, [this] { return (queue_.empty() && !busy_) || !thread_.joinable(); });
}

void DetectionEngine::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  idle_.notify_all();
}

void DetectionEngine::Run() {
  std::deque<SecurityEvent> batch;
  const AlertSink raise = [this](Alert a) { Raise(std::move(a)); };
  for (;;) {
    if (save_ && clock_.NowMillis() - saved_ms_ >= save_every_ms_) SaveStates();
    {
      std::unique_lock lock(mu_);
      busy_ = false;
      idle_.notify_all();
      if (!stopping_ && queue_.empty()) wake_.wait_for(lock, kPollInterval);
      if (queue_.empty()) {
        if (!stopping_) continue;
        lock.unlock();
        SaveStates();  // the last word: what was learnt up to the stop
        return;
      }
      batch.swap(queue_);
      busy_ = true;
    }
    for (const SecurityEvent& e : batch) {
      for (Rule* rule : watching_[static_cast<int>(e.kind)]) rule->Observe(e, raise);
      processed_.fetch_add(1);
    }
    batch.clear();
    const uint64_t shed = shed_.load();
    if (shed > shed_reported_) {
      Alert a;
      a.kind = AlertKind::kDetectionShedding;
      a.severity = Severity::kHigh;
      a.entity = Entity::Hub();
      a.summary = std::to_string(shed - shed_reported_) +
                  " security events were shed: the detection queue was full";
      a.first_ms = a.last_ms = clock_.NowMillis();
      a.evidence = {{"shed_total", std::to_string(shed)}};
      shed_reported_ = shed;
      Raise(std::move(a));
    }
  }
}

void DetectionEngine::Raise(Alert alert) {
  const std::string key =
      std::string(events::AlertKindName(alert.kind)) + '|' + alert.entity.ToString();
  auto it = open_.find(key);
  if (it == open_.end() || alert.last_ms - it->second.alert.last_ms > kForgetAfterMs) {
    if (open_.size() > 100'000) {
      std::erase_if(open_, [&](const auto& o) {
        return alert.last_ms - o.second.alert.last_ms > kForgetAfterMs;
      });
    }
    Open& fresh = open_[key];
    fresh.alert = std::move(alert);
    fresh.notified_ms = fresh.alert.last_ms;
    fresh.alert.id = on_alert_(fresh.alert, true);
    return;
  }
  Open& o = it->second;
  o.alert.count += 1;
  o.alert.last_ms = alert.last_ms;
  o.alert.summary = alert.summary;
  for (auto& [k, v] : alert.evidence) o.alert.evidence[k] = v;
  // A repeat that is worse than the alert (break-glass into more and more patients) raises its
  // severity, and says so at once.
  const bool escalated = alert.severity > o.alert.severity;
  if (escalated) o.alert.severity = alert.severity;
  if (escalated || o.alert.last_ms - o.notified_ms >= kRepeatNotifyMs) {
    o.notified_ms = o.alert.last_ms;
    on_alert_(o.alert, false);
  }
}

}  // namespace vigil::detect
