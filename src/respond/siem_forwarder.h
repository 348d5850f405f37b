// SIEM export: alerts and audit events leave the hub as they happen, as JSON lines
// appended to a file (0600) and as RFC 5424 syslog messages to a collector over UDP (one message
// per datagram, RFC 5426) or TCP (octet-counting framing, RFC 6587 section 3.4.1). A thread of
// its own does the I/O; the queue is bounded and what does not fit is dropped and counted, so a
// slow or absent collector never holds up the hub. A TCP collector that goes away is reconnected
// with back-off; messages that could not be sent meanwhile are counted as dropped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "respond/respond_options.h"
#include "respond/siem_record.h"

namespace vigil::respond {

class SiemForwarder {
 public:
  // Opens the JSON lines file (relative paths are under `data_dir`) and resolves the collector.
  // InvalidArgument or an I/O error if either cannot be used.
  static Result<std::unique_ptr<SiemForwarder>> Start(const SiemOptions& options,
                                                      const std::string& data_dir);
  ~SiemForwarder();
  SiemForwarder(const SiemForwarder&) = delete;
  SiemForwarder& operator=(const SiemForwarder&) = delete;

  // Queues a record; never blocks. Thread-safe.
  void Forward(respond::SiemRecord record);
  // Sends what is queued, then stops the thread. Idempotent.
  void Stop();

  uint64_t sent() const { return sent_.load(); }
  uint64_t dropped() const { return dropped_.load(); }

 private:
  explicit SiemForwarder(const SiemOptions& options);
  void Run();
  void Deliver(const respond::SiemRecord& record);
  bool SendSyslog(const std::string& message);
  bool ConnectCollector();
  void CloseCollector();

  SiemOptions options_;
  std::string hostname_;
  int procid_ = 0;
  int file_ = -1;
  int socket_ = -1;
  int64_t next_connect_ms_ = 0;
  int64_t backoff_ms_ = 100;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<respond::SiemRecord> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> sent_{0}, dropped_{0};
  std::thread thread_;
};

}  // namespace vigil::respond
