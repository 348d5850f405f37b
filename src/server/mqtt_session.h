// One device connection speaking MQTT 3.1.1 or 5.0 over TLS. The session owns its socket and
// buffers; all its handlers run on its strand. It authenticates the device by its client
// certificate, accepts PUBLISH only to devices/<own id>/vitals, hands each message to the
// reading pipeline and acknowledges (in order, MQTT-4.6.0-2) only once it is durable. It stops
// reading while `max_inflight` messages await their commit, or while more than
// kMaxUnsentBytes of its answers wait for the peer to take them (back-pressure both ways); a peer
// that takes nothing for `write_timeout_seconds` is dropped.
#pragma once

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "core/log_limiter.h"
#include "ingest/ingest_limits.h"
#include "ingest/ingest_metrics.h"
#include "ingest/mqtt/codec.h"
#include "ingest/pipeline.h"
#include "server/connection_audit.h"
#include "server/device_directory.h"
#include "server/tls_socket.h"

namespace vigil::server {

// What every session shares; outlives them all.
struct MqttContext {
  ingest::ReadingPipeline& pipeline;
  DeviceDirectory& directory;
  ingest::IngestMetrics& metrics;
  IngestLimits limits;
  LogLimiter& log_limiter;           // per peer address, so no peer can flood the log
  ConnectionAudit* audit = nullptr;  // connections in the ledger; none in tests of the codec
};

class MqttSession : public std::enable_shared_from_this<MqttSession> {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  // Answers (PUBACKs...) queued for a peer beyond which the session reads nothing more from it.
  static constexpr size_t kMaxUnsentBytes = 64 * 1024;

  MqttSession(Socket socket, boost::asio::ssl::context& tls, MqttContext& context);

  // Starts the TLS handshake and the read loop.
  void Start();
  // Stops taking packets, acknowledges what is in flight once durable, then closes (v5 clients
  // get DISCONNECT 0x8B "server shutting down"). Thread-safe.
  void Drain();
  // Closes the connection now: v5 clients are told why (0x87 access withdrawn, 0x8E session
  // taken over by another connection). Thread-safe.
  void Close(DeviceDirectory::CloseReason why = DeviceDirectory::CloseReason::kAccessWithdrawn);
  // Whether the session has finished (its socket is closed).
  bool finished() const { return finished_.load(); }

 private:
  struct InFlight {
    uint16_t packet_id = 0;  // 0 for QoS 0
    bool done = false;
    ingest::IngestOutcome outcome;
  };

  void OnHandshake(const boost::system::error_code& ec);
  void ReadMore();
  void OnRead(const boost::system::error_code& ec, size_t bytes);
  void ProcessBuffer();
  void Handle(ingest::mqtt::ConnectPacket& connect);
  void Handle(ingest::mqtt::PublishPacket& publish);
  void Handle(ingest::mqtt::SubscribePacket& subscribe);
  bool IsOwnTopicFilter(const std::string& filter) const;
  void Handle(ingest::mqtt::UnsubscribePacket& unsubscribe);
  void Handle(ingest::mqtt::PingreqPacket& ping);
  void Handle(ingest::mqtt::DisconnectPacket& disconnect);
  void RefuseConnect(uint8_t reason_code, ingest::ConnectionRefusal why, const std::string& text);
  void RefusePublish(uint16_t packet_id, ingest::RefusalDetail refusal);
  void Complete(uint64_t slot, ingest::IngestOutcome outcome);
  void FlushAcknowledgements();
  // Ends the connection for a protocol violation: v5 gets DISCONNECT with `reason_code`.
  void ProtocolFailure(uint8_t reason_code, ingest::ConnectionRefusal why, const std::string& text);
  void ArmKeepAlive();
  void SendDisconnect(uint8_t reason_code, const std::string& text);  // v5 only
  void Send(std::string bytes);
  void WriteNext();
  void CloseAfterWrites();
  // Whether the peer has left so many answers unread that nothing more is read from it.
  bool OutboxFull() const { return outbox_bytes_ + in_write_.size() > kMaxUnsentBytes; }
  void Teardown();
  bool v5() const { return version_ == ingest::mqtt::ProtocolVersion::kV5; }
  // The packet `encode(true)` makes, or `encode(false)` (without optional properties such as
  // a reason string) when the first exceeds the peer's Maximum Packet Size (MQTT-3.1.2-24).
  template <typename Encode>
  std::string FitForPeer(Encode encode) const {
    std::string packet = encode(true);
    if (peer_max_packet_ == 0 || packet.size() <= peer_max_packet_) return packet;
    return encode(false);
  }
  // Answers a CONNECT that did not decode: a CONNACK in the client's own protocol where the
  // specification asks for one, then closes.
  void RefuseUndecodableConnect(std::string_view body, const ingest::mqtt::DecodeError& error);
  // Logs through the per-address limiter.
  template <typename... Args>
  void Log(spdlog::level::level_enum level, spdlog::format_string_t<Args...> format,
           Args&&... args);
  std::string Peer() const;

  TlsSocket stream_;
  MqttContext& context_;
  boost::asio::steady_timer timer_;        // handshake + CONNECT deadline, then keep-alive
  boost::asio::steady_timer write_timer_;  // the write in progress must finish by then
  std::array<char, 4 * 1024> chunk_{};     // one read; small, as most connections idle
  std::string buffer_;
  std::deque<std::string> outbox_;  // queued while a write is in progress
  size_t outbox_bytes_ = 0;         // their size
  std::string in_write_;            // what the write in progress sends (empty when none)
  std::deque<InFlight> inflight_;
  uint64_t first_slot_ = 0;  // slot number of inflight_.front()
  std::optional<ingest::DeviceIdentity> identity_;
  ingest::ConnectionRefusal auth_refusal_ = ingest::ConnectionRefusal::kTlsHandshake;
  ingest::mqtt::ProtocolVersion version_ = ingest::mqtt::ProtocolVersion::kV311;
  std::string topic_;          // devices/<id>/vitals
  uint64_t registration_ = 0;  // DeviceDirectory token
  // When the device last published (epoch ms), read by the directory for its last-seen time.
  std::shared_ptr<std::atomic<int64_t>> heard_at_ = std::make_shared<std::atomic<int64_t>>(0);
  uint16_t keep_alive_seconds_ = 0;
  uint32_t peer_max_packet_ = 0;  // v5 CONNECT's Maximum Packet Size; 0: none given
  std::chrono::steady_clock::time_point last_packet_;
  bool connected_ = false;
  bool reading_ = false;
  bool processing_ = false;  // inside ProcessBuffer
  bool writing_ = false;
  bool write_posted_ = false;  // a write is queued on the strand behind the handlers before it
  bool close_after_writes_ = false;
  bool draining_ = false;
  bool client_left_ = false;  // the device sent DISCONNECT
  bool closing_ = false;
  std::atomic<bool> finished_{false};
  std::string peer_;     // address:port
  std::string peer_ip_;  // the log limiter's key
};

}  // namespace vigil::server
