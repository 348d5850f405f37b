#include "server/mqtt_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "server/tls_context.h"

namespace vigil::server {

namespace asio = boost::asio;
namespace mqtt = ingest::mqtt;
using ingest::ConnectionRefusal;
using ingest::Refusal;

namespace {
constexpr auto kConnectDeadline = std::chrono::seconds(10);
}  // namespace

MqttSession::MqttSession(Socket socket, asio::ssl::context& tls, MqttContext& context)
    : stream_(std::move(socket), tls.native_handle()),
      context_(context),
      timer_(stream_.get_executor()),
      write_timer_(stream_.get_executor()) {
  boost::system::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  peer_ip_ = ec ? "unknown" : endpoint.address().to_string();
  peer_ = ec ? "unknown" : peer_ip_ + ":" + std::to_string(endpoint.port());
}

template <typename... Args>
void MqttSession::Log(spdlog::level::level_enum level, spdlog::format_string_t<Args...> format,
                      Args&&... args) {
  uint64_t held_back = 0;
  if (!context_.log_limiter.Allow(peer_ip_, held_back)) return;
  if (held_back) spdlog::log(level, "({} lines from {} were not logged)", held_back, peer_ip_);
  spdlog::log(level, format, std::forward<Args>(args)...);
}

std::string MqttSession::Peer() const {
  return identity_ ? "device=" + identity_->device_id + " peer=" + peer_ : "peer=" + peer_;
}

void MqttSession::Start() {
  timer_.expires_after(kConnectDeadline);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec && !self->connected_ && !self->closing_) {
      self->Log(spdlog::level::info, "connection {} sent no CONNECT in time; closing",
                self->Peer());
      self->Teardown();
    }
  });
  stream_.AsyncHandshake(
      [self = shared_from_this()](const boost::system::error_code& ec) { self->OnHandshake(ec); });
}

void MqttSession::OnHandshake(const boost::system::error_code& ec) {
  if (ec) {
    context_.metrics.Refused(ConnectionRefusal::kTlsHandshake);
    Log(spdlog::level::info, "TLS handshake refused peer={}: {}", peer_, ec.message());
    if (context_.audit) {
      context_.audit->Refused(ingest::ConnectionRefusalName(ConnectionRefusal::kTlsHandshake),
                              peer_ip_, "", "mqtt");
    }
    return Teardown();
  }
  auto auth = context_.directory.Authenticate(VerifiedPeerCertificateDer(stream_.native_handle()));
  if (auto* id = std::get_if<ingest::DeviceIdentity>(&auth)) {
    identity_ = *id;
    identity_->address = peer_ip_;
    topic_ = "devices/" + id->device_id + "/vitals";
  } else {
    auth_refusal_ = std::get<ConnectionRefusal>(auth);  // told at CONNECT, with a reason code
  }
  ReadMore();
}

void MqttSession::ReadMore() {
  if (reading_ || closing_ || draining_ || inflight_.size() >= context_.limits.max_inflight ||
      OutboxFull()) {
    return;
  }
  reading_ = true;
  stream_.AsyncReadSome(asio::buffer(chunk_),
                        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
                          self->OnRead(ec, n);
                        });
}

void MqttSession::OnRead(const boost::system::error_code& ec, size_t bytes) {
  reading_ = false;
  if (ec) return Teardown();
  if (closing_ || draining_) return;
  buffer_.append(chunk_.data(), bytes);
  ProcessBuffer();
  ReadMore();
}

void MqttSession::ProcessBuffer() {
  if (processing_) return;  // a completion inside a handler must not re-enter the parse loop
  processing_ = true;
  size_t consumed = 0;
  while (!closing_ && !close_after_writes_ && !draining_ &&
         inflight_.size() < context_.limits.max_inflight && !OutboxFull()) {
    const std::string_view rest = std::string_view(buffer_).substr(consumed);
    mqtt::FixedHeader header;
    const auto frame = mqtt::ParseFixedHeader(rest, header);
    if (frame == mqtt::FrameStatus::kMalformed) {
      ProtocolFailure(mqtt::reason::kMalformedPacket, ConnectionRefusal::kProtocol,
                      "malformed fixed header");
      break;
    }
    if (frame == mqtt::FrameStatus::kIncomplete) break;
    const uint64_t total = header.header_bytes + uint64_t{header.remaining_length};
    if (total > context_.limits.max_packet_bytes) {
      ProtocolFailure(mqtt::reason::kPacketTooLarge, ConnectionRefusal::kPacketTooLarge,
                      "packet over " + std::to_string(context_.limits.max_packet_bytes) + " bytes");
      break;
    }
    if (rest.size() < total) break;
    auto decoded = mqtt::DecodeClientPacket(
        header, rest.substr(header.header_bytes, header.remaining_length), version_);
    consumed += total;
    if (!decoded.ok()) {
      if (header.type == mqtt::PacketType::kConnect && !connected_) {
        RefuseUndecodableConnect(rest.substr(header.header_bytes, header.remaining_length),
                                 decoded.error);
      } else {
        ProtocolFailure(decoded.error.reason_code, ConnectionRefusal::kProtocol,
                        decoded.error.message);
      }
      break;
    }
    const bool is_connect = std::holds_alternative<mqtt::ConnectPacket>(*decoded.packet);
    if (!connected_ && !is_connect) {
      ProtocolFailure(mqtt::reason::kProtocolError, ConnectionRefusal::kProtocol,
                      "first packet is not CONNECT");
      break;
    }
    last_packet_ = std::chrono::steady_clock::now();
    std::visit([this](auto& packet) { Handle(packet); }, *decoded.packet);
  }
  buffer_.erase(0, consumed);
  processing_ = false;
}

void MqttSession::Handle(mqtt::ConnectPacket& connect) {
  if (connected_) {
    return ProtocolFailure(mqtt::reason::kProtocolError, ConnectionRefusal::kProtocol,
                           "second CONNECT");
  }
  version_ = connect.version;
  peer_max_packet_ = connect.maximum_packet_size;
  if (!identity_) {
    if (auth_refusal_ == ConnectionRefusal::kStoreUnavailable) {  // come back later
      return RefuseConnect(mqtt::reason::kServerUnavailable, auth_refusal_,
                           "the hub cannot reach its store; try again shortly");
    }
    return RefuseConnect(
        mqtt::reason::kNotAuthorized, auth_refusal_,
        "certificate not authorized: " + std::string(ingest::ConnectionRefusalName(auth_refusal_)));
  }
  if (connect.client_id != identity_->device_id) {
    return RefuseConnect(mqtt::reason::kClientIdentifierNotValid,
                         ConnectionRefusal::kClientIdMismatch,
                         "client id must equal the certificate's CN");
  }
  if (connect.has_authentication_method) {
    return RefuseConnect(mqtt::reason::kBadAuthenticationMethod, ConnectionRefusal::kProtocol,
                         "enhanced authentication is not offered; use the client certificate");
  }
  const uint16_t max_keep_alive = context_.limits.max_keep_alive_seconds;
  keep_alive_seconds_ =
      connect.keep_alive_seconds == 0 || connect.keep_alive_seconds > max_keep_alive
          ? max_keep_alive
          : connect.keep_alive_seconds;
  mqtt::ConnackProperties props;
  props.receive_maximum = context_.limits.max_inflight;
  props.maximum_packet_size = context_.limits.max_packet_bytes;
  if (keep_alive_seconds_ != connect.keep_alive_seconds)
    props.server_keep_alive = keep_alive_seconds_;
  connected_ = true;
  std::weak_ptr<MqttSession> weak = shared_from_this();
  registration_ = context_.directory.Register(
      identity_->device_id,
      [weak](DeviceDirectory::CloseReason why) {
        if (auto self = weak.lock()) self->Close(why);
      },
      heard_at_);
  context_.metrics.connections_accepted.fetch_add(1);
  context_.metrics.connections_open.fetch_add(1);
  Log(spdlog::level::info, "device connected {} mqtt={}", Peer(), v5() ? "5.0" : "3.1.1");
  if (context_.audit) {
    context_.audit->Connected(identity_->device_id, peer_ip_, "mqtt",
                              ClientHelloFingerprint(stream_.native_handle()));
  }
  Send(FitForPeer([&](bool full) {
    props.any = full;
    return mqtt::EncodeConnack(version_, mqtt::reason::kSuccess, props);
  }));
  ArmKeepAlive();
}

void MqttSession::RefuseConnect(uint8_t reason_code, ConnectionRefusal why,
                                const std::string& text) {
  context_.metrics.Refused(why);
  Log(spdlog::level::warn, "connection refused {}: {}", Peer(), text);
  if (context_.audit) {
    context_.audit->Refused(ingest::ConnectionRefusalName(why), peer_ip_,
                            identity_ ? identity_->device_id : "", "mqtt");
  }
  mqtt::ConnackProperties props;
  props.reason_string = text;
  Send(FitForPeer([&](bool full) {
    props.any = full;
    return mqtt::EncodeConnack(version_, reason_code, props);
  }));
  CloseAfterWrites();
}

void MqttSession::RefuseUndecodableConnect(std::string_view body, const mqtt::DecodeError& error) {
  context_.metrics.Refused(ConnectionRefusal::kProtocol);
  Log(spdlog::level::warn, "connection refused {}: {}", Peer(), error.message);
  if (context_.audit) {
    context_.audit->Refused(ingest::ConnectionRefusalName(ConnectionRefusal::kProtocol), peer_ip_,
                            identity_ ? identity_->device_id : "", "mqtt");
  }
  // The protocol level follows the protocol name ("MQTT" in 3.1.1 and 5, "MQIsdp" in 3.1).
  uint8_t level = 0;
  if (body.size() >= 7 && body.substr(0, 6) == std::string_view("\0\4MQTT", 6)) {
    level = static_cast<uint8_t>(body[6]);
  } else if (body.size() >= 9 && body.substr(0, 8) == std::string_view("\0\6MQIsdp", 8)) {
    level = static_cast<uint8_t>(body[8]);
  }
  if (level == 5 || level > 5) {  // v5 (or newer): CONNACK with the reason code (no string)
    const uint8_t code = level == 5 ? error.reason_code : mqtt::reason::kUnsupportedProtocolVersion;
    mqtt::ConnackProperties none;
    none.any = false;
    Send(mqtt::EncodeConnack(mqtt::ProtocolVersion::kV5, code, none));
  } else if (level > 0 && error.reason_code == mqtt::reason::kUnsupportedProtocolVersion) {
    // 3.1 and older 3.x levels: return code 0x01, unacceptable protocol version (3.1.1 §3.2.2.3)
    Send(mqtt::EncodeConnack(mqtt::ProtocolVersion::kV311, error.reason_code, {}));
  }
  CloseAfterWrites();  // a malformed 3.1.1 CONNECT is closed without an answer (3.1.1 §4.8)
}

void MqttSession::Handle(mqtt::PublishPacket& publish) {
  heard_at_->store(SystemClock::Instance().NowMillis(), std::memory_order_relaxed);
  if (publish.qos == 2) {
    context_.metrics.Refused(Refusal::kQosNotSupported);
    return ProtocolFailure(mqtt::reason::kQosNotSupported, ConnectionRefusal::kProtocol,
                           "QoS 2 is not supported (maximum QoS 1)");
  }
  if (v5() && publish.retain) {
    return ProtocolFailure(mqtt::reason::kRetainNotSupported, ConnectionRefusal::kProtocol,
                           "retained messages are not supported");
  }
  if (publish.has_topic_alias) {
    return ProtocolFailure(mqtt::reason::kTopicAliasInvalid, ConnectionRefusal::kProtocol,
                           "topic aliases are not offered");
  }
  inflight_.push_back({publish.qos == 1 ? publish.packet_id : uint16_t{0}, false, {}});
  const uint64_t slot = first_slot_ + inflight_.size() - 1;
  if (publish.topic != topic_) {
    ingest::IngestOutcome refused;
    refused.refusal = {Refusal::kTopicNotAllowed, "a device may publish only to " + topic_};
    context_.metrics.Refused(Refusal::kTopicNotAllowed);
    if (context_.audit) {
      context_.audit->MessageRefused(identity_->device_id, peer_ip_,
                                     ingest::RefusalName(Refusal::kTopicNotAllowed));
    }
    Log(spdlog::level::warn, "publish refused {}: topic not allowed", Peer());
    return Complete(slot, std::move(refused));
  }
  const auto delivery = publish.dup ? ingest::Delivery::kRetransmission : ingest::Delivery::kFirst;
  context_.pipeline.Submit(*identity_, publish.payload, delivery,
                           [self = shared_from_this(), slot](const ingest::IngestOutcome& outcome) {
                             asio::post(self->stream_.get_executor(),
                                        [self, slot, outcome] { self->Complete(slot, outcome); });
                           });
}

void MqttSession::Complete(uint64_t slot, ingest::IngestOutcome outcome) {
  if (slot < first_slot_ || slot - first_slot_ >= inflight_.size()) return;
  InFlight& entry = inflight_[slot - first_slot_];
  entry.done = true;
  entry.outcome = std::move(outcome);
  FlushAcknowledgements();
}

void MqttSession::FlushAcknowledgements() {
  while (!inflight_.empty() && inflight_.front().done && !closing_) {
    InFlight entry = std::move(inflight_.front());
    inflight_.pop_front();
    ++first_slot_;
    const auto& refusal = entry.outcome.refusal;
    if (refusal.refused() && !v5()) {
      // MQTT 3.1.1 has no way to say "refused" in a PUBACK: the refusal is logged and counted,
      // and the connection is closed so the device knows the message was not taken.
      Log(spdlog::level::warn, "closing MQTT 3.1.1 connection {} after refusal reason={}", Peer(),
          ingest::RefusalName(refusal.reason));
      inflight_.clear();
      CloseAfterWrites();
      return;
    }
    if (entry.packet_id != 0) {
      Send(FitForPeer([&](bool full) {
        return mqtt::EncodePuback(version_, entry.packet_id,
                                  ingest::RefusalMqttReasonCode(refusal.reason),
                                  full ? refusal.message : std::string());
      }));
    }
  }
  if (draining_ && inflight_.empty()) {
    if (v5() && !client_left_) {
      SendDisconnect(mqtt::reason::kServerShuttingDown, "server shutting down");
    }
    return CloseAfterWrites();
  }
  if (!closing_ && !close_after_writes_) {
    ProcessBuffer();
    ReadMore();
  }
}

bool MqttSession::IsOwnTopicFilter(const std::string& filter) const {
  // devices/<own id>/... with wildcards only below it: many devices subscribe to their own
  // command topic on connect, and that reaches no one else's data.
  const std::string own = "devices/" + identity_->device_id + "/";
  return filter.size() > own.size() && filter.compare(0, own.size(), own) == 0;
}

void MqttSession::Handle(mqtt::SubscribePacket& subscribe) {
  const uint8_t refused = v5() ? mqtt::reason::kNotAuthorized : 0x80;
  if (context_.directory.IsVitalsOnly(identity_->device_id)) {
    // Held to vital signs by a security response: its readings go on, nothing else does. Policy,
    // not a new offence: no alert.
    Log(spdlog::level::info, "subscribe refused {}: restricted to vital signs", Peer());
    Send(mqtt::EncodeSuback(version_, subscribe.packet_id,
                            std::vector<uint8_t>(subscribe.filters.size(), refused)));
    return;
  }
  if (context_.limits.allow_own_topic_subscriptions &&
      std::all_of(subscribe.filters.begin(), subscribe.filters.end(),
                  [this](const std::string& f) { return IsOwnTopicFilter(f); })) {
    // Granted at QoS 0; the hub has nothing to send there yet, and it is no attempt at anything.
    Send(mqtt::EncodeSuback(version_, subscribe.packet_id,
                            std::vector<uint8_t>(subscribe.filters.size(), 0x00)));
    return;
  }
  // Devices only publish; the hub routes nothing to them, and another topic is no device's own.
  Log(spdlog::level::warn, "subscribe refused {} ({} filters)", Peer(), subscribe.filters.size());
  context_.metrics.Refused(Refusal::kTopicNotAllowed);
  if (context_.audit) context_.audit->MessageRefused(identity_->device_id, peer_ip_, "subscribe");
  Send(mqtt::EncodeSuback(version_, subscribe.packet_id,
                          std::vector<uint8_t>(subscribe.filters.size(), refused)));
}

void MqttSession::Handle(mqtt::UnsubscribePacket& unsubscribe) {
  Send(mqtt::EncodeUnsuback(version_, unsubscribe.packet_id, unsubscribe.filters.size(),
                            0x11 /* no subscription existed */));
}

void MqttSession::Handle(mqtt::PingreqPacket&) { Send(mqtt::EncodePingresp()); }

void MqttSession::Handle(mqtt::DisconnectPacket&) {
  draining_ = true;  // acknowledge nothing more; let in-flight commits finish, then close
  client_left_ = true;
  if (inflight_.empty()) CloseAfterWrites();
}

void MqttSession::ProtocolFailure(uint8_t reason_code, ConnectionRefusal why,
                                  const std::string& text) {
  context_.metrics.Refused(why);
  Log(spdlog::level::warn, "closing connection {}: {}", Peer(), text);
  if (context_.audit && identity_ && connected_) {
    context_.audit->MessageRefused(identity_->device_id, peer_ip_,
                                   ingest::ConnectionRefusalName(why));
  }
  if (v5() && connected_) SendDisconnect(reason_code, text);
  inflight_.clear();
  CloseAfterWrites();
}

void MqttSession::ArmKeepAlive() {
  // MQTT-3.1.2-24: one and a half keep-alive periods without a packet ends the connection.
  const auto limit = std::chrono::milliseconds(keep_alive_seconds_ * 1500);
  const auto deadline = last_packet_ + limit;
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this(), limit](const boost::system::error_code& ec) {
    if (ec || self->closing_) return;
    if (std::chrono::steady_clock::now() - self->last_packet_ >= limit) {
      self->context_.metrics.Refused(ConnectionRefusal::kKeepAliveTimeout);
      self->Log(spdlog::level::info, "keep-alive expired {}", self->Peer());
      if (self->v5()) {
        self->SendDisconnect(mqtt::reason::kKeepAliveTimeout, "keep alive timeout");
      }
      return self->CloseAfterWrites();
    }
    self->ArmKeepAlive();
  });
}

void MqttSession::Send(std::string bytes) {
  if (closing_) return;
  outbox_bytes_ += bytes.size();
  outbox_.push_back(std::move(bytes));
  if (writing_ || write_posted_) return;
  // The write starts from a handler queued behind those already on this connection's strand: a
  // commit's acknowledgements arrive as one handler each, and then go out in one write.
  write_posted_ = true;
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->write_posted_ = false;
    if (!self->closing_ && !self->writing_ && !self->outbox_.empty()) self->WriteNext();
  });
}

void MqttSession::WriteNext() {
  // Everything queued goes out in one write: a burst of PUBACKs costs one TLS record and one
  // system call, not one each.
  writing_ = true;
  in_write_.clear();
  for (const auto& bytes : outbox_) in_write_ += bytes;
  outbox_.clear();
  outbox_bytes_ = 0;
  // A peer that keeps its TCP window shut would hold this write (and the session) forever.
  write_timer_.expires_after(std::chrono::seconds(context_.limits.write_timeout_seconds));
  write_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || !self->writing_ || self->closing_) return;
    self->context_.metrics.Refused(ConnectionRefusal::kWriteTimeout);
    self->Log(spdlog::level::warn, "dropping {}: it took no answer for {} s ({} bytes unsent)",
              self->Peer(), self->context_.limits.write_timeout_seconds,
              self->in_write_.size() + self->outbox_bytes_);
    self->Teardown();
  });
  stream_.AsyncWrite(asio::buffer(in_write_),
                     [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                       const bool was_full = self->OutboxFull();
                       self->writing_ = false;
                       self->in_write_.clear();
                       self->write_timer_.cancel();
                       if (ec) return self->Teardown();
                       if (!self->outbox_.empty()) self->WriteNext();
                       if (!self->writing_ && self->close_after_writes_) {
                         return self->Teardown();  // close_notify, close
                       }
                       if (was_full && !self->closing_ && !self->close_after_writes_) {
                         self->ProcessBuffer();  // the peer took its answers: read on
                         self->ReadMore();
                       }
                     });
}

void MqttSession::CloseAfterWrites() {
  close_after_writes_ = true;
  if (!writing_ && outbox_.empty()) Teardown();
}

void MqttSession::Drain() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->closing_) return;
    self->draining_ = true;
    if (!self->connected_) return self->Teardown();
    self->FlushAcknowledgements();
  });
}

void MqttSession::SendDisconnect(uint8_t reason_code, const std::string& text) {
  Send(FitForPeer(
      [&](bool full) { return mqtt::EncodeDisconnect(reason_code, full ? text : std::string()); }));
}

void MqttSession::Close(DeviceDirectory::CloseReason why) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), why] {
    if (self->v5() && self->connected_) {
      if (why == DeviceDirectory::CloseReason::kTakenOver) {
        self->SendDisconnect(mqtt::reason::kSessionTakenOver,
                             "another connection of this device took over");
      } else {
        self->SendDisconnect(mqtt::reason::kNotAuthorized, "device access withdrawn");
      }
      return self->CloseAfterWrites();
    }
    self->Teardown();
  });
}

void MqttSession::Teardown() {
  if (finished_.load()) return;
  closing_ = true;
  finished_.store(true);
  timer_.cancel();
  write_timer_.cancel();
  stream_.Close();
  if (connected_) {
    context_.directory.Unregister(identity_->device_id, registration_);
    context_.metrics.connections_open.fetch_sub(1);
    Log(spdlog::level::info, "device disconnected {}", Peer());
    if (context_.audit) context_.audit->Disconnected(identity_->device_id, peer_ip_);
  }
}

}  // namespace vigil::server
