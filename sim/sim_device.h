// One simulated device: an MQTT client over mutual TLS that sends its model's readings at its
// rate (or as fast as acknowledgements allow), keeps every unacknowledged QoS 1 reading, and on
// a dropped connection reconnects with exponential back-off and resends them (DUP set, same
// bytes), so no reading is lost across a hub restart. All its handlers run on its strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "core/status.h"
#include "ingest/mqtt/packets.h"
#include "sim/device_model.h"
#include "sim/sim_stats.h"

namespace vigil::sim {

struct SimDeviceOptions {
  std::string device_id;
  std::string host = "localhost";
  uint16_t port = 8883;
  std::string ca_file, cert_file, key_file;
  ingest::mqtt::ProtocolVersion version = ingest::mqtt::ProtocolVersion::kV311;
  uint8_t qos = 1;
  double period_seconds = 1.0;  // 0: send as fast as acknowledgements allow
  size_t window = 16;           // unacknowledged publishes in flight at most
  uint64_t first_seq = 1;       // above the last sequence number the hub has for the device
};

class SimDevice : public std::enable_shared_from_this<SimDevice> {
 public:
  using Clock = std::chrono::steady_clock;

  static Result<std::shared_ptr<SimDevice>> Create(boost::asio::io_context& io,
                                                   SimDeviceOptions options,
                                                   std::unique_ptr<DeviceModel> model,
                                                   SimStats& stats);

  // Connects and sends until `stop_at`; then waits for outstanding acknowledgements until
  // `give_up_at` and disconnects.
  void Start(Clock::time_point stop_at, Clock::time_point give_up_at);
  // Stops sending new readings now; outstanding ones are still awaited. Thread-safe.
  void StopSending();
  bool finished() const { return finished_.load(); }
  // Readings never acknowledged (after give_up_at).
  size_t unacknowledged() const { return unacked_count_.load(); }

 private:
  struct Outgoing {
    uint16_t packet_id = 0;
    uint64_t seq = 0;
    std::string payload;
    bool sent_on_this_connection = false;
    bool sent_before = false;
    int attempts = 0;
    Clock::time_point sent_at;
  };

  SimDevice(boost::asio::io_context& io, SimDeviceOptions options,
            std::unique_ptr<DeviceModel> model, SimStats& stats);
  void Connect();
  void OnConnectFailed(const char* stage);
  void ScheduleReconnect();
  void ReadMore();
  void OnPacket(uint8_t type, std::string_view body);
  void Generate();
  void ArmGenerator();
  void SendPending();
  void Write(std::string bytes);
  void WriteNext();
  void Drop();  // the connection is gone: prepare to resend
  void MaybeFinish();
  void Finish();
  uint16_t NextPacketId();
  int64_t WallMillis() const;

  SimDeviceOptions options_;
  std::unique_ptr<DeviceModel> model_;
  SimStats& stats_;
  boost::asio::any_io_executor strand_;
  boost::asio::ssl::context tls_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer generator_;
  boost::asio::steady_timer reconnect_;
  boost::asio::steady_timer deadline_;  // give_up_at
  std::deque<Outgoing> pending_;
  std::deque<std::string> outbox_;
  std::string buffer_;
  std::array<char, 8192> chunk_{};
  uint64_t generation_ = 0;  // bumps on every new connection; stale handlers are ignored
  uint64_t next_seq_ = 1;
  uint16_t last_packet_id_ = 0;
  size_t in_flight_ = 0;
  bool connected_ = false;
  bool first_reading_pending_ = true;
  bool writing_ = false;
  std::chrono::milliseconds backoff_{100};
  Clock::time_point stop_at_, give_up_at_;
  std::atomic<bool> finished_{false};
  std::atomic<size_t> unacked_count_{0};
};

}  // namespace vigil::sim
