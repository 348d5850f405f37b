#include "respond/siem_forwarder.h"

#include <fcntl.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "core/clock.h"

namespace vigil::respond {
namespace {

constexpr size_t kCapacity = 65'536;
constexpr int64_t kMaxBackoffMs = 30'000;
constexpr size_t kMaxDatagram = 8'192;  // longer UDP messages are truncated (RFC 5426 3.2)

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

using AddrInfo = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

// The collector's addresses; null if its host does not resolve.
AddrInfo ResolveCollector(const SiemOptions& o) {
  addrinfo hints{};
  hints.ai_socktype = o.syslog_protocol == "tcp" ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(o.syslog_port);
  if (::getaddrinfo(o.syslog_host.c_str(), port.c_str(), &hints, &found) != 0) found = nullptr;
  return AddrInfo(found, &::freeaddrinfo);
}

std::string Hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "vigil";
  return name;
}

}  // namespace

Result<std::unique_ptr<SiemForwarder>> SiemForwarder::Start(const SiemOptions& options,
                                                            const std::string& data_dir) {
  std::unique_ptr<SiemForwarder> f(new SiemForwarder(options));
  if (!options.jsonl_path.empty()) {
    const std::string path =
        options.jsonl_path[0] == '/' ? options.jsonl_path : data_dir + "/" + options.jsonl_path;
    f->file_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (f->file_ < 0) {
      return Status::Internal("SIEM file " + path + ": " + std::strerror(errno));
    }
  }
  if (!options.syslog.empty() && !ResolveCollector(options)) {
    return Status::InvalidArgument("SIEM collector " + options.syslog + ": unknown host");
  }
  f->thread_ = std::thread([raw = f.get()] { raw->Run(); });
  return f;
}

SiemForwarder::SiemForwarder(const SiemOptions& options)
    : options_(options), hostname_(Hostname()), procid_(static_cast<int>(::getpid())) {}

SiemForwarder::~SiemForwarder() {
  Stop();
  CloseCollector();
  if (file_ >= 0) ::close(file_);
}

void SiemForwarder::Forward(respond::SiemRecord record) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kCapacity || stopping_) {
      dropped_.fetch_add(1);
      return;
    }
    queue_.push_back(std::move(record));
  }
  wake_.notify_one();
}

void SiemForwarder::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SiemForwarder::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything sent
    std::deque<respond::SiemRecord> batch;
    batch.swap(queue_);
    lock.unlock();
    for (const auto& record : batch) Deliver(record);
    lock.lock();
  }
}

void SiemForwarder::Deliver(const respond::SiemRecord& record) {
  bool delivered = true;
  if (file_ >= 0) {
    const std::string line = respond::SiemJsonLine(record, hostname_) + "\n";
    // O_APPEND: each line is one write, whole, at the end of the file.
    delivered = ::write(file_, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  }
  if (!options_.syslog.empty()) {
    delivered = SendSyslog(respond::SiemSyslogMessage(record, hostname_, procid_)) && delivered;
  }
  (delivered ? sent_ : dropped_).fetch_add(1);
}

bool SiemForwarder::SendSyslog(const std::string& message) {
  if (socket_ < 0 && !ConnectCollector()) return false;
  const bool tcp = options_.syslog_protocol == "tcp";
  const bool ok = tcp ? WriteAll(socket_, std::to_string(message.size()) + " " + message)
                      : WriteAll(socket_, std::string_view(message).substr(0, kMaxDatagram));
  if (!ok) {
    spdlog::warn("SIEM collector {}: send failed: {}", options_.syslog, std::strerror(errno));
    CloseCollector();
  }
  return ok;
}

bool SiemForwarder::ConnectCollector() {
  const int64_t now = SystemClock::Instance().NowMillis();
  if (now < next_connect_ms_) return false;
  const AddrInfo found = ResolveCollector(options_);
  for (addrinfo* a = found.get(); a && socket_ < 0; a = a->ai_next) {
    socket_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (socket_ >= 0 && ::connect(socket_, a->ai_addr, a->ai_addrlen) != 0) CloseCollector();
  }
  if (socket_ < 0) {
    spdlog::warn("SIEM collector {} unreachable; retrying in {} ms", options_.syslog, backoff_ms_);
    next_connect_ms_ = now + backoff_ms_;
    backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
    return false;
  }
  backoff_ms_ = 100;
  return true;
}

void SiemForwarder::CloseCollector() {
  if (socket_ >= 0) ::close(socket_);
  socket_ = -1;
}

}  // namespace vigil::respond
