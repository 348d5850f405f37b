// Time behind an interface so that time-based rules (clock skew, keep-alive, later TOTP and
// detection windows) can be tested under a fake clock.
#pragma once

#include <atomic>
#include <cstdint>

namespace vigil {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (UTC). Thread-safe.
  virtual int64_t NowMillis() const = 0;
};

// The operating system's wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  // A process-wide instance.
  static const SystemClock& Instance();
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_millis) : now_(now_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Set(int64_t now_millis) { now_.store(now_millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace vigil
