#include "server/hub_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <future>
#include <thread>
#include <vector>

#include "access/auth_service.h"
#include "admin/hub_integrity.h"
#include "api/api_service.h"
#include "core/files.h"
#include "core/log_limiter.h"
#include "crypto/bytes.h"
#include "detect/detection_engine.h"
#include "events/audit_records.h"
#include "ingest/ingest_history.h"
#include "ingest/pipeline.h"
#include "ingest/reading_committer.h"
#include "ledger/audit_trails.h"
#include "ledger/checkpointer.h"
#include "ledger/ledger.h"
#include "ledger/ledger_key.h"
#include "ledger/signed_head.h"
#include "privacy/patient_privacy.h"
#include "respond/address_blocklist.h"
#include "respond/alert_desk.h"
#include "respond/responder.h"
#include "respond/siem_forwarder.h"
#include "server/connection_audit.h"
#include "server/detection_state.h"
#include "server/device_directory.h"
#include "server/https_server.h"
#include "server/mqtt_listener.h"
#include "server/server_containment.h"
#include "server/storage_watch.h"
#include "server/tls_context.h"
#include "server/witness_publisher.h"

namespace vigil::server {
namespace {

namespace asio = boost::asio;

constexpr auto kSharedStatePoll = std::chrono::seconds(1);
constexpr auto kCheckpointInterval = std::chrono::seconds(5);
constexpr auto kDrainDeadline = std::chrono::seconds(10);
constexpr const char* kVersion = "0.1.0";

class HubServerImpl final : public HubServer {
 public:
  HubServerImpl(const HubLayout& layout, const HubConfig& config, std::string config_digest,
                std::unique_ptr<store::Store> store, std::unique_ptr<store::KeyRing> keys,
                std::unique_ptr<ledger::Ledger> ledger, ledger::NoteKey ledger_key,
                std::unique_ptr<asio::ssl::context> mqtt_tls,
                std::unique_ptr<asio::ssl::context> https_tls,
                std::unique_ptr<respond::SiemForwarder> siem, respond::Playbooks playbooks,
                std::unique_ptr<WitnessPublisher> witnesses)
      : layout_(layout),
        config_(config),
        config_digest_(std::move(config_digest)),
        store_(std::move(store)),
        keys_(std::move(keys)),
        ledger_(std::move(ledger)),
        witnesses_(std::move(witnesses)),
        checkpointer_(*ledger_, *store_, std::move(ledger_key),
                      {.origin = LedgerOriginOf(config),
                       .head_path = layout.ledger_head(),
                       .checkpoint_log = config.ledger.checkpoint_log,
                       .on_signed =
                           [this](const store::StoredCheckpoint& c) {
                             if (witnesses_) witnesses_->Publish(c);
                           }}),
        mqtt_tls_(std::move(mqtt_tls)),
        https_tls_(std::move(https_tls)),
        siem_(std::move(siem)),
        committer_(*store_, ledger_.get(), SystemClock::Instance(),
                   config.serve.group_commit_max_batch,
                   [this](const CommitStats& s) {
                     metrics_.commits.fetch_add(1);
                     metrics_.commit_latency.Observe(s.seconds);
                   }),
        audit_trail_(*ledger_, SystemClock::Instance(), config.serve.group_commit_max_batch,
                     [this](std::span<const ledger::LedgerEntry> entries) {
                       if (!siem_ || !config_.siem.audit) return;
                       for (const auto& e : entries) siem_->Forward(respond::SiemRecordOf(e));
                     }),
        detection_(
            SystemClock::Instance(), RestoredRules(config.detect, store_->alerts()),
            [this](const events::Alert& a, bool is_new) { return alert_desk_.Take(a, is_new); },
            65'536, StateSaver(store_->alerts())),
        pipeline_(*store_, *store_, *keys_, committer_, SystemClock::Instance(), config.ingest,
                  metrics_, &readiness_, Events()),
        storage_watch_(layout.root, uint64_t{config.serve.min_free_mb} * 1024 * 1024, *store_,
                       readiness_),
        auth_(store_->access(), *keys_, SystemClock::Instance(), SessionSettingsOf(config),
              audit_trail_, Events()),
        api_({*store_, *keys_, auth_, audit_trail_, *ledger_, SystemClock::Instance(),
              config.hub_name, Events(), layout.exports()}),
        api_pool_(static_cast<size_t>(config.access.api_threads)),
        directory_(*store_),
        console_(api_.context(),
                 {[this] { return directory_.ConnectedCount(); }, &layout_,
                  [this] { return ingest_history_.Samples(); }},
                 config.access.session_idle_seconds),
        connection_log_(SystemClock::Instance(), 20, 1000),
        connection_audit_(SystemClock::Instance(), audit_trail_, Events()),
        blocklist_(SystemClock::Instance(), store_->alerts()),
        containment_(*store_, directory_, blocklist_, config.respond.vitals_only_device_types),
        alert_desk_(store_->alerts(), audit_trail_, siem_.get(), SystemClock::Instance(),
                    containment_, std::move(playbooks)),
        mqtt_context_{pipeline_,     directory_,      metrics_,
                      config.ingest, connection_log_, &connection_audit_},
        https_context_{pipeline_,
                       directory_,
                       metrics_,
                       config.ingest,
                       [this] { return metrics_.RenderPrometheus(); },
                       &api_,
                       &console_,
                       api_pool_.get_executor(),
                       &connection_audit_,
                       &blocklist_,
                       &readiness_},
        mqtt_(io_, *mqtt_tls_, mqtt_context_),
        https_(io_, *https_tls_, https_context_),
        shared_state_timer_(io_),
        checkpoint_timer_(io_) {
    RestoreVitalTrends(pipeline_, store_->alerts());
  }

  ~HubServerImpl() override { Stop(); }

  Status Start() override {
    // OpenSSL writes device sockets with write(2): a peer that went away must be an EPIPE
    // error on that connection, not a SIGPIPE that ends the hub.
    std::signal(SIGPIPE, SIG_IGN);
    // What configuration this run serves with, so a change between runs is on record.
    VIGIL_RETURN_IF_ERROR(audit_trail_.Append(events::Record(
        SystemClock::Instance().NowMillis(),
        events::audit::HubStarted{.config_sha256 = config_digest_, .version = kVersion})));
    // The ingest chart's baseline, before the first message: one taken at the first sample
    // (10 s in) would hide what arrived until then.
    ingest_history_.Sample(SystemClock::Instance().NowMillis(), metrics_);
    VIGIL_RETURN_IF_ERROR(mqtt_.Listen(config_.serve.bind, config_.serve.mqtt_port));
    VIGIL_RETURN_IF_ERROR(https_.Listen(config_.serve.bind, config_.serve.https_port));
    https_context_.public_base_url = PublicBaseUrl(config_.serve.public_url, https_.port());
    if (Status s = blocklist_.Refresh(); !s.ok()) {  // blocks put before this start hold
      spdlog::error("address blocks not loaded: {}", s.ToString());
    }
    PollSharedState();
    ScheduleCheckpoint();
    for (int i = 0; i < config_.serve.io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
    started_ = true;
    return Status::Ok();
  }

  uint16_t mqtt_port() const override { return mqtt_.port(); }
  uint16_t https_port() const override { return https_.port(); }

  void RunUntilSignalled() override {
    asio::io_context signal_io;
    asio::signal_set signals(signal_io, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int signal) {
      spdlog::info("signal {} received: shutting down", signal);
    });
    signal_io.run();
    Stop();
  }

  void Stop() override {
    if (!started_ || stopped_) return;
    stopped_ = true;
    mqtt_.StopAccepting();
    https_.StopAccepting();
    {
      std::lock_guard lock(poll_mu_);
      polling_stopped_ = true;
      shared_state_timer_.cancel();
    }
    checkpoint_timer_.cancel();
    mqtt_.DrainSessions();
    const auto deadline = std::chrono::steady_clock::now() + kDrainDeadline;
    while (mqtt_.LiveSessions() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    api_pool_.join();     // API requests in progress finish (their audit entries become durable)
    committer_.Stop();    // commits what is queued; its callbacks post acks to the sessions
    RunPostedHandlers();  // ... which the I/O threads send before they stop
    io_.stop();
    for (auto& t : threads_) t.join();
    detection_.Stop();  // the last events go through the rules; their alerts are queued, and
                        // what the rules learnt is kept
    SaveVitalTrends(pipeline_, store_->alerts());
    SampleActivity();
    audit_trail_.Stop();
    if (siem_) {
      siem_->Stop();  // what was queued is sent
      spdlog::info("SIEM: {} records sent, {} dropped", siem_->sent(), siem_->dropped());
    }
    Checkpoint();  // the last entries get their signature before the hub goes
    if (witnesses_) witnesses_->Drain();  // ... and the witnesses their say on it
    spdlog::info("hub stopped: {} messages stored, {} refused in this run",
                 metrics_.messages_accepted.load(), TotalRefused());
  }

 private:
  // Returns once the I/O threads have run what was posted to them before the call (twice round,
  // so that handlers posted by those handlers run too), or after a second at most.
  void RunPostedHandlers() {
    for (int round = 0; round < 2; ++round) {
      auto reached = std::make_shared<std::promise<void>>();
      auto done = reached->get_future();
      asio::post(io_, [reached] { reached->set_value(); });
      done.wait_for(std::chrono::seconds(1));
    }
  }

  // What hears the security events: the detection engine, or nothing when it is off.
  events::SecurityEventSink* Events() { return config_.detect.enabled ? &detection_ : nullptr; }

  static access::SessionSettings SessionSettingsOf(const HubConfig& config) {
    access::SessionSettings s;
    s.idle_ms = config.access.session_idle_seconds * 1000;
    s.absolute_ms = config.access.session_absolute_seconds * 1000;
    s.hub_name = config.hub_name;
    return s;
  }

  // Signed by one hub of those sharing the store (LedgerStore::LeadCheckpoints): the others'
  // entries are in the same log and get their signatures from it.
  void Checkpoint() {
    const auto lead = store_->LeadCheckpoints();
    if (!lead.ok()) {
      failure_log_.Log(spdlog::level::err, "checkpoint", lead.status().ToString());
      return;
    }
    if (!*lead) return;
    if (Status s = checkpointer_.CheckpointIfGrown(SystemClock::Instance().NowMillis()); !s.ok()) {
      failure_log_.Log(spdlog::level::err, "checkpoint", s.ToString());
    }
  }

  void ScheduleCheckpoint() {
    checkpoint_timer_.expires_after(kCheckpointInterval);
    checkpoint_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      Checkpoint();
      ScheduleCheckpoint();
    });
  }

  // What other processes change through the store (`vigil device revoke`, `vigil user unlock`,
  // `vigil address unblock`, `vigil patient erase`, other hubs' blocks) and the disk's free space,
  // looked at once a second.
  void PollSharedState() {
    std::lock_guard lock(poll_mu_);  // re-armed from a pool thread while Stop may cancel
    if (polling_stopped_) return;
    shared_state_timer_.expires_after(kSharedStatePoll);
    shared_state_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      // Off the I/O threads: a store that is failing over may take seconds to answer.
      asio::post(api_pool_, [this] {
        directory_.RefreshRevocations();
        storage_watch_.Poll();
        if (Status s = auth_.ApplyUnlocks(); !s.ok()) {
          poll_errors_.Log(spdlog::level::err, "unlocks",
                           "unlock requests not applied: " + s.ToString());
        }
        auto erased = privacy::ForgetErasedKeys(store_->privacy(), *keys_, &erasures_seen_);
        if (!erased.ok()) {
          poll_errors_.Log(spdlog::level::err, "erasures",
                           "erased patients' keys not looked up: " + erased.status().ToString());
        }
        for (const auto& patient : erased.ok() ? *erased : std::vector<std::string>()) {
          if (api_.bulk_jobs()) api_.bulk_jobs()->Purge(patient);  // exports holding them go
        }
        if (Status s = blocklist_.Refresh(); !s.ok()) {
          poll_errors_.Log(spdlog::level::err, "blocks",
                           "address blocks not reloaded: " + s.ToString());
        }
        if (store_->networked()) CheckStoreWritable();
        if (++polls_ % kPollsPerTrendSave == 0) SaveVitalTrends(pipeline_, store_->alerts());
        if (polls_ % kPollsPerActivitySample == 0) SampleActivity();
        PollSharedState();
      });
    });
  }

  // A database server that goes away (a failover) makes the hub not ready at once, not at the
  // next failed commit; once it takes writes again the hub is ready by itself, with no device
  // traffic to prompt it (a load balancer sends none to a hub that is not ready).
  void CheckStoreWritable() {
    const Status writable = store_->CheckWritable();
    if (!writable.ok()) {
      if (!readiness_.Has(Readiness::Cause::kStoreWrites)) {
        spdlog::warn("readings are refused until the store takes writes: {}", writable.message());
      }
      readiness_.Set(Readiness::Cause::kStoreWrites,
                     "readings cannot be stored: " + writable.message());
    } else if (readiness_.Has(Readiness::Cause::kStoreWrites) && !committer_.stopped()) {
      readiness_.Clear(Readiness::Cause::kStoreWrites);
      spdlog::info("the store takes writes again: readings are accepted");
    }
  }

  uint64_t TotalRefused() const {
    uint64_t total = 0;
    for (const auto& c : metrics_.messages_refused) total += c.load();
    return total;
  }

  // A sample of ingest for the dashboard's last hour, and when devices were last heard from
  // into the store (every hub writes its own; the later time wins).
  void SampleActivity() {
    ingest_history_.Sample(SystemClock::Instance().NowMillis(), metrics_);
    if (Status s = store_->RecordDeviceActivity(directory_.TakeActivity()); !s.ok()) {
      poll_errors_.Log(spdlog::level::err, "activity",
                       "devices' last-seen times not stored: " + s.ToString());
    }
  }

  HubLayout layout_;
  HubConfig config_;
  std::string config_digest_;  // hex SHA-256 of config.toml as read
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::KeyRing> keys_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<WitnessPublisher> witnesses_;  // null when no witness is configured
  ledger::Checkpointer checkpointer_;            // a signed checkpoint whenever the ledger grew
  std::unique_ptr<asio::ssl::context> mqtt_tls_;
  std::unique_ptr<asio::ssl::context> https_tls_;
  std::unique_ptr<respond::SiemForwarder>
      siem_;  // alerts and audit events to a SIEM; null when off
  ingest::IngestMetrics metrics_;
  ingest::IngestHistory ingest_history_;  // the last hour, for the console's dashboard
  Readiness readiness_;                   // the disk's free space and the store's commits
  LogLimiter failure_log_{SystemClock::Instance(), 5, 1000};  // the hub's own failures
  ingest::ReadingCommitter committer_;
  ledger::BatchedAuditTrail audit_trail_;  // access, connection and response events, batched
  detect::DetectionEngine detection_;      // off the acknowledgement path
  ingest::ReadingPipeline pipeline_;
  StorageWatch storage_watch_;
  access::AuthService auth_;
  api::ApiService api_;
  asio::thread_pool api_pool_;
  DeviceDirectory directory_;
  console::ConsoleService console_;  // the browser's way in, on the HTTPS port
  LogLimiter connection_log_;        // per peer address: 20 lines, then 1 a second
  ConnectionAudit connection_audit_;
  respond::AddressBlocklist blocklist_;
  ServerContainment containment_;
  respond::AlertDesk alert_desk_;  // the engine's alerts: stored, filed, forwarded, acted on
  MqttContext mqtt_context_;
  HttpsContext https_context_;
  asio::io_context io_;
  MqttListener mqtt_;
  HttpsListener https_;
  LogLimiter poll_errors_{SystemClock::Instance(), 1, 30'000};  // a line per 30 s at most
  std::mutex poll_mu_;
  bool polling_stopped_ = false;                           // under poll_mu_
  static constexpr uint64_t kPollsPerTrendSave = 60;       // the devices' normals: once a minute
  static constexpr uint64_t kPollsPerActivitySample = 10;  // ingest history, devices last seen
  uint64_t polls_ = 0;                                     // on the pool, one poll at a time
  int64_t erasures_seen_ = 0;  // the last erasure whose key was wiped (ForgetErasedKeys)
  asio::steady_timer shared_state_timer_;
  asio::steady_timer checkpoint_timer_;
  std::vector<std::thread> threads_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<HubServer>> HubServer::Open(const HubLayout& layout,
                                                   const HubConfig& config) {
  VIGIL_ASSIGN_OR_RETURN(std::string master_key, store::LoadMasterKey(layout.master_key()));
  VIGIL_ASSIGN_OR_RETURN(auto store, admin::OpenHubStore(config, layout, [](int from, int to) {
                           spdlog::info("{}", store::DescribeMigration(from, to));
                         }));
  // Nothing is served, and nothing written, unless the hub's files are whole and belong together.
  const auto checking = std::chrono::steady_clock::now();
  VIGIL_RETURN_IF_ERROR(admin::CheckDatabaseStructure(*store));
  VIGIL_ASSIGN_OR_RETURN(auto ledger_key, ledger::LoadOrCreateLedgerKey(
                                              layout, LedgerOriginOf(config), config.hub_name));
  VIGIL_ASSIGN_OR_RETURN(const std::string verifier_key, admin::ReadVerifierKey(layout));
  auto keys = std::make_unique<store::KeyRing>(*store, std::move(master_key), layout.master_key());
  VIGIL_RETURN_IF_ERROR(admin::CheckMasterKey(layout, *store, *keys));
  VIGIL_ASSIGN_OR_RETURN(auto ledger, ledger::Ledger::Open(*store));
  VIGIL_RETURN_IF_ERROR(admin::CheckLedgerHead(layout, *ledger, verifier_key));
  if (!ledger_key.superseded.empty()) {
    spdlog::info(
        "the ledger's checkpoints are signed as '{}' from now on (an entry records the "
        "change; ledger.vkey is rewritten)",
        ledger_key.key.name);
  }
  VIGIL_RETURN_IF_ERROR(
      ledger::AdoptOrigin(layout, *ledger, ledger_key, SystemClock::Instance().NowMillis()));
  spdlog::info("hub files checked in {} ms (database structure, keys, signed ledger head)",
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - checking)
                   .count());
  VIGIL_ASSIGN_OR_RETURN(auto mqtt_tls, MakeServerTlsContext(layout, config.serve.tls_min_version,
                                                             ClientCertificate::kRequired));
  VIGIL_ASSIGN_OR_RETURN(auto https_tls, MakeServerTlsContext(layout, config.serve.tls_min_version,
                                                              ClientCertificate::kOptional));
  VIGIL_ASSIGN_OR_RETURN(std::string config_text, ReadFile(layout.config()));
  VIGIL_ASSIGN_OR_RETURN(respond::Playbooks playbooks, respond::PlaybooksOf(config.respond));
  std::unique_ptr<respond::SiemForwarder> siem;
  if (!config.siem.jsonl_path.empty() || !config.siem.syslog.empty()) {
    VIGIL_ASSIGN_OR_RETURN(siem, respond::SiemForwarder::Start(config.siem, layout.root));
  }
  std::unique_ptr<WitnessPublisher> witnesses;
  if (!config.ledger.witnesses.empty()) {
    VIGIL_ASSIGN_OR_RETURN(witnesses, WitnessPublisher::Start(*ledger, *store, config.ledger,
                                                              SystemClock::Instance()));
  }
  return std::unique_ptr<HubServer>(std::make_unique<HubServerImpl>(
      layout, config, crypto::Hex(crypto::Sha256(config_text)), std::move(store), std::move(keys),
      std::move(ledger), std::move(ledger_key.key), std::move(mqtt_tls), std::move(https_tls),
      std::move(siem), std::move(playbooks), std::move(witnesses)));
}

}  // namespace vigil::server
