// A closed-loop load for the benchmarks: `threads` threads call `once` back to back for
// `seconds`; every call's latency is kept.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::bench {

struct TimedRun {
  std::vector<double> latencies_ms;  // sorted
  double wall_seconds = 0;
  double cpu_seconds = 0;  // the whole process's, every thread's
  bool failed = false;     // some call returned false

  double per_second() const { return static_cast<double>(latencies_ms.size()) / wall_seconds; }
  double percentile_ms(double p) const {
    if (latencies_ms.empty()) return 0;
    const auto i = static_cast<size_t>(p * static_cast<double>(latencies_ms.size()));
    return latencies_ms[std::min(latencies_ms.size() - 1, i)];
  }
};

inline double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// `once` returns whether the call did what it should.
inline TimedRun RunTimed(int threads, double seconds, const std::function<bool()>& once) {
  using Clock = std::chrono::steady_clock;
  std::mutex mu;
  TimedRun run;
  std::atomic<bool> failed{false};
  const double cpu0 = ProcessCpuSeconds();
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      std::vector<double> mine;
      while (Clock::now() < until) {
        const auto t0 = Clock::now();
        if (!once()) failed = true;
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      std::lock_guard lock(mu);
      run.latencies_ms.insert(run.latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& w : workers) w.join();
  run.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.cpu_seconds = ProcessCpuSeconds() - cpu0;
  run.failed = failed || run.latencies_ms.empty();
  std::sort(run.latencies_ms.begin(), run.latencies_ms.end());
  return run;
}

}  // namespace vigil::bench
