// The console's server time on a large hub (issue #21: "dashboard and chart pages render in
// <= 50 ms of server time on a hub holding 10,000 devices and 10 million readings"). Builds, once,
// a SQLite hub store of --devices devices (four a patient) and --readings sealed Observations:
// the chart's patient has 24 h of 1 Hz heart rate and a blood pressure every 15 minutes, every
// other device an equal share spread over the last 30 days; the last-seen time and certificate
// end of every device; 2,000 alerts (100 open) and 200 incidents (20 open); a week of signed
// checkpoints (one each 5 s: 120,960). Then it asks ConsoleService::Handle, as a browser's
// request arrives after TLS and HTTP parsing, for each page --iterations times on one thread:
// the security officer's dashboard, the clinician's chart (its access decided and recorded in
// the ledger before the readings are read), and the device administrator's device list.
// Reported: p50 / p99 / max ms and the page's size.
// Usage: console_render [--dir DIR (kept; reused when it holds a built hub)] [--devices N]
//                       [--readings M] [--iterations K]

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "access/auth_service.h"
#include "api/api_service.h"
#include "console/console_service.h"
#include "core/clock.h"
#include "core/files.h"
#include "crypto/bytes.h"
#include "ledger/audit_trails.h"
#include "ledger/ledger.h"
#include "model/observation.h"
#include "store/keyring.h"
#include "store/sealed_record.h"
#include "store/store.h"

namespace {

using namespace vigil;
using Steady = std::chrono::steady_clock;

constexpr int64_t kHourMs = 3'600'000, kDayMs = 24 * kHourMs;
constexpr int kChartReadings = 86'400 + 96;
constexpr int kCheckpoints = 7 * 24 * 720;  // a week, one every 5 s

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "console_render: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

std::string PatientId(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "p-%05d", i);
  return id;
}
std::string DeviceId(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "dev-%05d", i);
  return id;
}

// Commits sealed readings in batches of 5,000 messages.
class Loader {
 public:
  explicit Loader(store::Store& store) : store_(store) {}
  void Add(const std::string& key, const std::string& device, const std::string& patient,
           uint64_t seq, int64_t effective_ms, std::vector<model::Measurement> measurements,
           const char* code) {
    model::Observation o;
    o.id = device + "." + std::to_string(seq) + ".0";
    o.patient_id = patient;
    o.device_id = device;
    o.code = code;
    o.effective_ms = effective_ms;
    o.issued_ms = effective_ms + 40;
    o.seq = seq;
    o.measurements = std::move(measurements);
    auto sealed = store::SealObservation(key, o);
    Check(sealed.status(), "seal");
    commits_.push_back({device, seq, std::string(32, 'x'), o.issued_ms, {*std::move(sealed)}});
    if (commits_.size() == 5'000) Flush();
  }
  void Flush() {
    if (commits_.empty()) return;
    Check(store_.CommitReadings(commits_), "commit");
    loaded_ += commits_.size();
    commits_.clear();
    if (loaded_ % 500'000 == 0) std::fprintf(stderr, "  %zu readings\n", loaded_);
  }

 private:
  store::Store& store_;
  std::vector<store::ReadingCommit> commits_;
  size_t loaded_ = 0;
};

void Populate(store::Store& store, store::KeyRing& keys, int devices, int64_t readings,
              int64_t now) {
  std::mt19937_64 random(7);
  const int patients = (devices + 3) / 4;
  static const char* kTypes[] = {"wearable", "bp-cuff", "pulse-oximeter", "thermometer"};
  std::vector<std::string> data_keys;
  for (int p = 0; p < patients; ++p) {
    auto key = keys.MakeDataKey(PatientId(p));
    Check(key.status(), "data key");
    Check(store.InsertPatient({PatientId(p), "sealed", now - 90 * kDayMs}, key->wrapped),
          "patient");
    data_keys.push_back(key->key);
  }
  std::vector<store::DeviceActivity> activity;
  for (int d = 0; d < devices; ++d) {
    store::DeviceRecord r;
    r.id = DeviceId(d);
    r.patient_id = PatientId(d / 4);
    r.type = kTypes[d % 4];
    r.cert_serial = std::to_string(d);
    r.cert_fingerprint = "ff";
    r.enrolled_ms = now - 90 * kDayMs;
    Check(store.InsertDevice(r), "device");
    // Most heard from within the hour; some silent; certificates ending over two years.
    const int64_t seen = now - static_cast<int64_t>(random() % (d % 10 == 0 ? 48 : 1)) * kHourMs -
                         static_cast<int64_t>(random() % 600'000);
    activity.push_back({r.id, seen, now + static_cast<int64_t>(random() % 800) * kDayMs});
  }
  Check(store.RecordDeviceActivity(activity), "activity");
  Loader loader(store);
  // The chart's patient: dev-00000 (a wearable) at 1 Hz for 24 h; dev-00001 (a cuff) each 15 min.
  for (int i = 1; i <= 86'400; ++i) {
    loader.Add(
        data_keys[0], DeviceId(0), PatientId(0), static_cast<uint64_t>(i),
        now - kDayMs + int64_t{i} * 1000,
        {{model::VitalKind::kHeartRate, 62.0 + (i * 7) % 31, now - kDayMs + int64_t{i} * 1000}},
        "8867-4");
  }
  for (int i = 1; i <= 96; ++i) {
    const int64_t t = now - kDayMs + int64_t{i} * 15 * 60'000;
    loader.Add(data_keys[0], DeviceId(1), PatientId(0), static_cast<uint64_t>(i), t,
               {{model::VitalKind::kSystolicBp, 118.0 + i % 9, t},
                {model::VitalKind::kDiastolicBp, 76.0 + i % 5, t}},
               "85354-9");
  }
  const int64_t rest = readings - kChartReadings;
  const int64_t each = rest / std::max(1, devices - 2);
  for (int64_t n = 0; n < each; ++n) {  // round robin: commits hold many devices, as a hub's do
    for (int d = 2; d < devices; ++d) {
      const int64_t t = now - 30 * kDayMs + (30 * kDayMs) * n / each + d;
      loader.Add(data_keys[static_cast<size_t>(d / 4)], DeviceId(d), PatientId(d / 4),
                 static_cast<uint64_t>(n + 1), t,
                 {{model::VitalKind::kHeartRate, 60.0 + (n + d) % 40, t}}, "8867-4");
    }
  }
  loader.Flush();
  // Alerts and incidents of weeks of detection.
  for (int i = 0; i < 2'000; ++i) {
    store::AlertRecord a;
    a.kind = i % 3 ? "flood" : "device-clone";
    a.severity = i % 3 ? "medium" : "high";
    a.entity = "device:" + DeviceId(i % devices);
    a.technique = "T0000";
    a.summary = "bench";
    a.evidence_json = "{}";
    a.first_ms = a.last_ms = now - static_cast<int64_t>(2'000 - i) * kHourMs / 4;
    a.status = i >= 1'900 ? "open" : "resolved";
    Check(store.alerts().InsertAlert(a).status(), "alert");
  }
  for (int i = 0; i < 200; ++i) {
    store::IncidentRecord c;
    c.title = "bench incident " + std::to_string(i);
    c.severity = "high";
    c.status = i >= 180 ? "open" : "closed";
    c.first_ms = c.last_ms = now - static_cast<int64_t>(200 - i) * kHourMs;
    c.entities = {"device:" + DeviceId(i)};
    Check(store.alerts().InsertIncident(c).status(), "incident");
  }
  // People: an officer, a clinician on the chart patient's team, a device administrator.
  for (const auto& [name, role] : {std::pair{"officer", "security-officer"},
                                   {"clinician", "clinician"},
                                   {"devices", "device-admin"}}) {
    Check(store.access().InsertUser({name, role, "", "$argon2id$unused", false, "", 0, now}),
          "user");
  }
  Check(store.access().AddCareTeamMember(PatientId(0), "clinician"), "care team");
}

// A week of signed checkpoints, written straight into the file in one transaction (the hub
// writes one each 5 s; through the store each would be a transaction of its own).
void AddCheckpoints(const std::string& db_path, int64_t now) {
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) std::exit(1);
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO ledger_checkpoints (size, note, created_ms) VALUES (?, ?, ?)",
                     -1, &st, nullptr);
  const std::string note(320, 'n');
  for (int i = 1; i <= kCheckpoints; ++i) {
    sqlite3_bind_int64(st, 1, int64_t{i} * 40);
    sqlite3_bind_text(st, 2, note.data(), static_cast<int>(note.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now - int64_t{kCheckpoints - i} * 5'000);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) std::exit(1);
  sqlite3_close(db);
}

struct Timing {
  double p50 = 0, p99 = 0, max = 0;
  size_t bytes = 0;
};

Timing Measure(console::ConsoleService& console, const api::ApiRequest& request, int iterations) {
  std::vector<double> ms;
  size_t bytes = 0;
  for (int i = 0; i < iterations; ++i) {
    const auto start = Steady::now();
    const api::HttpReply reply = console.Handle(request);
    ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
    if (reply.status != 200) {
      std::fprintf(stderr, "console_render: %s answered %d\n", request.path.c_str(), reply.status);
      std::exit(1);
    }
    bytes = reply.body.size();
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back(), bytes};
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 10'000, iterations = 200;
  int64_t readings = 10'000'000;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
    if (a == "--dir") {
      dir = next();
    } else if (a == "--devices") {
      devices = std::max(4, std::stoi(next()));
    } else if (a == "--readings") {
      readings = std::max<int64_t>(kChartReadings, std::stoll(next()));
    } else if (a == "--iterations") {
      iterations = std::max(1, std::stoi(next()));
    } else {
      std::fprintf(stderr, "usage: %s [--dir DIR] [--devices N] [--readings M] [--iterations K]\n",
                   argv[0]);
      return 2;
    }
  }
  const bool temporary = dir.empty();
  if (temporary) {
    char tmpl[] = "/tmp/vigil-console-render-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  std::filesystem::create_directories(dir);
  const HubLayout layout(dir);
  const std::string db_path = dir + "/vigil.db", key_path = dir + "/bench-master.key";
  const int64_t now = SystemClock::Instance().NowMillis();
  if (!PathExists(key_path)) {
    auto master = crypto::RandomBytes(32);
    Check(master.status(), "master key");
    {
      auto store = std::move(store::OpenSqliteStore(db_path, store::OpenMode::kCreate)).value();
      store::KeyRing keys(*store, *master);
      const auto load0 = Steady::now();
      std::fprintf(stderr, "console_render: building %d devices, %lld readings in %s\n", devices,
                   static_cast<long long>(readings), dir.c_str());
      Populate(*store, keys, devices, readings, now);
      std::fprintf(stderr, "console_render: built in %.0f s\n",
                   std::chrono::duration<double>(Steady::now() - load0).count());
    }
    AddCheckpoints(db_path, now);
    Check(WriteFileAtomic(key_path, *master, 0600), "master key file");
  } else {
    std::fprintf(stderr, "console_render: reusing the hub in %s (readings' times as built)\n",
                 dir.c_str());
  }
  auto master = ReadFile(key_path);
  Check(master.status(), "master key file");
  auto store = std::move(store::OpenSqliteStore(db_path, store::OpenMode::kOpenExisting)).value();
  store::KeyRing keys(*store, *master);
  auto ledger = std::move(ledger::Ledger::Open(*store)).value();
  ledger::BatchedAuditTrail audit(*ledger, SystemClock::Instance(), 256);
  access::AuthService auth(store->access(), keys, SystemClock::Instance(),
                           access::SessionSettings{}, audit);
  api::ApiService api({*store, keys, auth, audit, *ledger, SystemClock::Instance(), "bench"});
  // This hub's last hour of ingest, as the hub samples it (360 samples).
  std::vector<ingest::IngestSample> history;
  for (int i = 0; i < 360; ++i) {
    history.push_back({now - (360 - i) * 10'000, 10'000, 9'000, 3, {{"replay", 2}, {"range", 1}}});
  }
  console::ConsoleService console(
      api.context(), {[] { return size_t{9'000}; }, &layout, [&] { return history; }}, 900);
  const std::string tag = std::to_string(now);
  const auto request_as = [&](const std::string& user, const std::string& path) {
    const std::string token = "bench-" + user + "-" + tag;
    Check(store->access().InsertSession({access::TokenHash(token), user, now, now, "127.0.0.1"}),
          "session");
    api::ApiRequest r;
    Check(api::ParseTarget(path, r), "target");
    r.method = "GET";
    r.cookie = "vigil_session=" + token;
    r.peer_address = "127.0.0.1";
    r.host = "hub.bench";
    return r;
  };
  std::printf("| page (%d devices, %lld readings) | p50 ms | p99 ms | max ms | KiB |\n", devices,
              static_cast<long long>(readings));
  std::printf("|---|---|---|---|---|\n");
  for (const auto& [name, user, path] :
       {std::tuple{"dashboard (security officer)", "officer", "/console/security"},
        std::tuple{"chart, 24 h (clinician)", "clinician", "/console/patients/p-00000"},
        std::tuple{"devices (device administrator)", "devices", "/console/admin/devices"}}) {
    const Timing t = Measure(console, request_as(user, path), iterations);
    std::printf("| %s | %.2f | %.2f | %.2f | %.0f |\n", name, t.p50, t.p99, t.max,
                static_cast<double>(t.bytes) / 1024);
    std::fflush(stdout);
  }
  audit.Stop();
  store.reset();
  if (temporary) std::filesystem::remove_all(dir);
  return 0;
}
