#include "sim/sim_device.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <random>

#include "ingest/mqtt/byte_reader.h"
#include "ingest/mqtt/codec.h"

namespace vigil::sim {

namespace asio = boost::asio;
namespace mqtt = ingest::mqtt;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);
constexpr int kMaxAttempts = 8;  // a reading that keeps ending its connection is given up
}  // namespace

Result<std::shared_ptr<SimDevice>> SimDevice::Create(asio::io_context& io, SimDeviceOptions options,
                                                     std::unique_ptr<DeviceModel> model,
                                                     SimStats& stats) {
  std::shared_ptr<SimDevice> device(new SimDevice(io, std::move(options), std::move(model), stats));
  boost::system::error_code ec;
  device->tls_.load_verify_file(device->options_.ca_file, ec);
  if (!ec) device->tls_.use_certificate_chain_file(device->options_.cert_file, ec);
  if (!ec)
    device->tls_.use_private_key_file(device->options_.key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return Status::FailedPrecondition("device " + device->options_.device_id +
                                      " credentials unusable: " + ec.message());
  }
  device->tls_.set_verify_mode(asio::ssl::verify_peer);
  device->tls_.set_verify_callback(asio::ssl::host_name_verification(device->options_.host));
  return device;
}

SimDevice::SimDevice(asio::io_context& io, SimDeviceOptions options,
                     std::unique_ptr<DeviceModel> model, SimStats& stats)
    : options_(std::move(options)),
      model_(std::move(model)),
      stats_(stats),
      strand_(asio::make_strand(io)),
      tls_(asio::ssl::context::tls_client),
      resolver_(strand_),
      generator_(strand_),
      reconnect_(strand_),
      deadline_(strand_) {
  next_seq_ = options_.first_seq;
}

int64_t SimDevice::WallMillis() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void SimDevice::Start(Clock::time_point stop_at, Clock::time_point give_up_at) {
  stop_at_ = stop_at;
  give_up_at_ = give_up_at;
  asio::post(strand_, [self = shared_from_this()] {
    self->deadline_.expires_at(self->give_up_at_);
    self->deadline_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Finish();
    });
    self->Connect();
    self->ArmGenerator();
  });
}

void SimDevice::StopSending() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stop_at_ = std::min(self->stop_at_, Clock::now());
    self->MaybeFinish();
  });
}

void SimDevice::Connect() {
  if (finished_) return;
  const uint64_t gen = ++generation_;
  stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(strand_, tls_);
  SSL_set_tlsext_host_name(stream_->native_handle(), options_.host.c_str());
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [self = shared_from_this(), gen](const boost::system::error_code& ec,
                                       tcp::resolver::results_type endpoints) {
        if (gen != self->generation_) return;
        if (ec) return self->OnConnectFailed("resolve");
        asio::async_connect(self->stream_->lowest_layer(), endpoints,
                            [self, gen](const boost::system::error_code& ec, const tcp::endpoint&) {
                              if (gen != self->generation_) return;
                              if (ec) return self->OnConnectFailed("connect");
                              self->stream_->lowest_layer().set_option(tcp::no_delay(true));
                              self->stream_->async_handshake(
                                  asio::ssl::stream_base::client,
                                  [self, gen](const boost::system::error_code& ec) {
                                    if (gen != self->generation_) return;
                                    if (ec) return self->OnConnectFailed("TLS handshake");
                                    mqtt::ConnectPacket connect;
                                    connect.version = self->options_.version;
                                    connect.client_id = self->options_.device_id;
                                    connect.keep_alive_seconds = 60;
                                    connect.clean_start = false;
                                    self->Write(mqtt::EncodeConnect(connect));
                                    self->ReadMore();
                                  });
                            });
      });
}

void SimDevice::OnConnectFailed(const char*) {
  stats_.connect_failures.fetch_add(1);
  Drop();
}

void SimDevice::ScheduleReconnect() {
  if (finished_) return;
  if (Clock::now() >= give_up_at_) return Finish();
  static thread_local std::mt19937 jitter(std::random_device{}());
  const auto delay = backoff_ / 2 + std::chrono::milliseconds(std::uniform_int_distribution<int>(
                                        0, backoff_.count())(jitter));
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  reconnect_.expires_after(delay);
  reconnect_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->Connect();
  });
}

void SimDevice::ReadMore() {
  const uint64_t gen = generation_;
  stream_->async_read_some(
      asio::buffer(chunk_),
      [self = shared_from_this(), gen](const boost::system::error_code& ec, size_t n) {
        if (gen != self->generation_) return;
        if (ec) return self->Drop();
        self->buffer_.append(self->chunk_.data(), n);
        size_t used = 0;
        for (;;) {
          mqtt::FixedHeader header;
          const auto rest = std::string_view(self->buffer_).substr(used);
          const auto frame = mqtt::ParseFixedHeader(rest, header);
          if (frame == mqtt::FrameStatus::kMalformed) return self->Drop();
          if (frame == mqtt::FrameStatus::kIncomplete ||
              rest.size() < header.header_bytes + header.remaining_length) {
            break;
          }
          used += header.header_bytes + header.remaining_length;
          self->OnPacket(static_cast<uint8_t>(header.type),
                         rest.substr(header.header_bytes, header.remaining_length));
          if (gen != self->generation_ || self->finished_) return;
        }
        self->buffer_.erase(0, used);
        self->ReadMore();
      });
}

void SimDevice::OnPacket(uint8_t type, std::string_view body) {
  mqtt::ByteReader reader(body);
  if (type == static_cast<uint8_t>(mqtt::PacketType::kConnack)) {
    uint8_t flags = 0, code = 0;
    if (!reader.ReadByte(flags) || !reader.ReadByte(code) || code != 0) return Drop();
    connected_ = true;
    backoff_ = std::chrono::milliseconds(100);
    stats_.connects.fetch_add(1);
    return SendPending();
  }
  if (type == static_cast<uint8_t>(mqtt::PacketType::kPuback)) {
    uint16_t id = 0;
    uint8_t reason = 0;
    if (!reader.ReadUint16(id)) return Drop();
    (void)reader.ReadByte(reason);
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->packet_id != id || !it->sent_on_this_connection) continue;
      stats_.ack_latency.Record(std::chrono::duration<double>(Clock::now() - it->sent_at).count());
      if (reason < 0x80) {
        stats_.acked.fetch_add(1);
        stats_.RecordAcked(options_.device_id, it->seq);
      } else {
        stats_.refused.fetch_add(1);
      }
      pending_.erase(it);
      --in_flight_;
      break;
    }
    unacked_count_ = pending_.size();
    SendPending();
    return MaybeFinish();
  }
  if (type == static_cast<uint8_t>(mqtt::PacketType::kDisconnect)) return Drop();
}

void SimDevice::ArmGenerator() {
  if (options_.period_seconds <= 0) return;  // paced by acknowledgements instead
  // The first reading comes soon after power-up (a random phase within the first second, so a
  // fleet does not send in lock-step); then one per period. The timer also wakes at stop_at.
  static thread_local std::mt19937 phase(std::random_device{}());
  const double wait = first_reading_pending_
                          ? std::uniform_real_distribution<double>(
                                0.0, std::min(1.0, options_.period_seconds))(phase)
                          : options_.period_seconds;
  first_reading_pending_ = false;
  const auto when = std::min(stop_at_, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double>(wait)));
  generator_.expires_at(when);
  generator_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->finished_) return;
    if (Clock::now() >= self->stop_at_) return self->MaybeFinish();
    self->Generate();
    self->SendPending();
    self->ArmGenerator();
  });
}

void SimDevice::Generate() {
  const uint64_t seq = next_seq_++;
  Outgoing out;
  out.packet_id = NextPacketId();
  out.seq = seq;
  out.payload = model_->Next(seq, WallMillis());
  pending_.push_back(std::move(out));
  unacked_count_ = pending_.size();
}

uint16_t SimDevice::NextPacketId() {
  last_packet_id_ = static_cast<uint16_t>(last_packet_id_ % 65535 + 1);
  return last_packet_id_;
}

void SimDevice::SendPending() {
  if (!connected_) return;
  if (options_.period_seconds <= 0) {  // as fast as acknowledgements allow
    while (pending_.size() < options_.window && Clock::now() < stop_at_) Generate();
  }
  std::string batch;
  for (auto& out : pending_) {
    if (in_flight_ >= options_.window) break;
    if (out.sent_on_this_connection) continue;
    mqtt::PublishPacket publish;
    publish.qos = options_.qos;
    publish.dup = out.sent_before;
    publish.packet_id = out.packet_id;
    publish.topic = "devices/" + options_.device_id + "/vitals";
    publish.payload = out.payload;
    batch += mqtt::EncodePublish(options_.version, publish);
    stats_.sent.fetch_add(out.sent_before ? 0 : 1);
    stats_.resent.fetch_add(out.sent_before ? 1 : 0);
    out.sent_on_this_connection = true;
    out.sent_before = true;
    out.sent_at = Clock::now();
    ++out.attempts;
    ++in_flight_;
  }
  if (options_.qos == 0) {  // nothing will be acknowledged: done once written
    stats_.acked.fetch_add(in_flight_);
    pending_.clear();
    in_flight_ = 0;
  }
  if (!batch.empty()) Write(std::move(batch));
}

void SimDevice::Write(std::string bytes) {
  outbox_.push_back(std::move(bytes));
  if (!writing_) WriteNext();
}

void SimDevice::WriteNext() {
  writing_ = true;
  const uint64_t gen = generation_;
  asio::async_write(*stream_, asio::buffer(outbox_.front()),
                    [self = shared_from_this(), gen](const boost::system::error_code& ec, size_t) {
                      if (gen != self->generation_) return;
                      self->writing_ = false;
                      self->outbox_.pop_front();
                      if (ec) return self->Drop();
                      if (!self->outbox_.empty()) self->WriteNext();
                    });
}

void SimDevice::Drop() {
  if (connected_) stats_.disconnects.fetch_add(1);
  connected_ = false;
  writing_ = false;
  outbox_.clear();
  buffer_.clear();
  in_flight_ = 0;
  ++generation_;  // every handler of the old connection is now stale
  if (stream_) {
    boost::system::error_code ignored;
    stream_->lowest_layer().close(ignored);
  }
  std::erase_if(pending_, [this](const Outgoing& out) {
    if (out.attempts < kMaxAttempts) return false;
    stats_.refused.fetch_add(1);  // it kept ending its connection: MQTT 3.1.1's refusal
    return true;
  });
  for (auto& out : pending_) out.sent_on_this_connection = false;
  unacked_count_ = pending_.size();
  ScheduleReconnect();
}

void SimDevice::MaybeFinish() {
  if (Clock::now() >= stop_at_ && pending_.empty()) Finish();
  if (Clock::now() >= give_up_at_) Finish();
}

void SimDevice::Finish() {
  if (finished_) return;
  finished_ = true;
  generator_.cancel();
  reconnect_.cancel();
  deadline_.cancel();
  if (connected_ && !writing_) {
    // DISCONNECT, then close; best effort.
    auto bytes = std::make_shared<std::string>(std::string("\xe0\x00", 2));
    asio::async_write(*stream_, asio::buffer(*bytes),
                      [self = shared_from_this(), bytes](const boost::system::error_code&, size_t) {
                        boost::system::error_code ignored;
                        self->stream_->lowest_layer().close(ignored);
                      });
  } else if (stream_) {
    boost::system::error_code ignored;
    stream_->lowest_layer().close(ignored);
  }
  connected_ = false;
  ++generation_;
}

}  // namespace vigil::sim
