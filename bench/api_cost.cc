// What security and FHIR cost an Observation search, in one process, without TLS or HTTP
// (issue #5: "decryption + authorization + FHIR serialization <= 2x the raw query"). A hub store
// on this machine's disk with one patient holding 24 h of 1 Hz heart rate (86,400 sealed rows),
// a clinician on the care team, and the same first page asked of five ever-larger stacks:
//   raw       the page's SQL straight on the SQLite file (every column read in place, as
//             bench/api_raw_query)
//   store     Store::VisitObservations (the hub's reader pool, rows seen as views)
//   +decrypt  + the patient's data key unwrapped and each row opened (AES-256-GCM)
//   +fhir     + each Observation rendered into a FHIR searchset Bundle
//   api       ApiService::Handle: session authenticated, care team and consent looked up,
//             decision made and its ledger entry made durable (batched with the other
//             threads', fsync), then all of the above
// Each stack runs for --seconds on --threads threads (api: --api-threads, so that requests
// waiting for their audit entry's fsync do not leave the cores idle). Reported: searches/s,
// process CPU µs per search (getrusage: every thread, the audit writer's included), p50/p99.
// Last, "api read by id": one Observation read by its id through ApiService::Handle.
// Usage: api_cost [--page N] [--seconds S] [--threads T] [--api-threads A] [--only STACK]

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "access/auth_service.h"
#include "api/api_service.h"
#include "api/fhir_resources.h"
#include "core/clock.h"
#include "crypto/bytes.h"
#include "ledger/audit_trails.h"
#include "ledger/ledger.h"
#include "model/observation.h"
#include "raw_page_query.h"
#include "store/keyring.h"
#include "store/sealed_record.h"
#include "store/store.h"
#include "timed_threads.h"

namespace {

using namespace vigil;
using Steady = std::chrono::steady_clock;

constexpr const char* kPatient = "p-001";
constexpr const char* kDevice = "wearable-001";
constexpr int kRows = 86'400;
constexpr int64_t kStartMs = 1'800'000'000'000;

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "api_cost: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

struct Figures {
  double per_second = 0, cpu_us = 0, p50_ms = 0, p99_ms = 0;
};

// Runs `search` (true if it produced the page) on `threads` threads for `seconds`.
Figures Run(int threads, double seconds, const std::function<bool()>& search) {
  const vigil::bench::TimedRun run = vigil::bench::RunTimed(threads, seconds, search);
  if (run.failed) {
    std::fprintf(stderr, "api_cost: a search failed\n");
    std::exit(1);
  }
  const double n = static_cast<double>(run.latencies_ms.size());
  return {run.per_second(), run.cpu_seconds / n * 1e6, run.percentile_ms(0.50),
          run.percentile_ms(0.99)};
}

// The patient, the device, 86,400 sealed heart-rate Observations, and a clinician on the care
// team with a session (token "bench-token").
void Populate(store::Store& store, store::KeyRing& keys) {
  auto key = keys.MakeDataKey(kPatient);
  Check(key.status(), "data key");
  Check(store.InsertPatient({kPatient, "sealed", kStartMs}, key->wrapped), "patient");
  store::DeviceRecord d;
  d.id = kDevice;
  d.patient_id = kPatient;
  d.type = "wearable";
  d.cert_serial = "01";
  d.cert_fingerprint = "ff";
  Check(store.InsertDevice(d), "device");
  std::vector<store::ReadingCommit> commits;
  for (int i = 1; i <= kRows; ++i) {
    model::Observation o;
    o.id = std::string(kDevice) + "." + std::to_string(i) + ".0";
    o.patient_id = kPatient;
    o.device_id = kDevice;
    o.code = "8867-4";
    o.effective_ms = kStartMs + int64_t{i} * 1000;
    o.issued_ms = o.effective_ms + 40;
    o.seq = static_cast<uint64_t>(i);
    o.measurements = {{model::VitalKind::kHeartRate, 62.0 + (i * 7) % 31, o.effective_ms}};
    auto sealed = store::SealObservation(key->key, o);
    Check(sealed.status(), "seal");
    commits.push_back({kDevice, o.seq, std::string(32, 'x'), o.issued_ms, {*sealed}});
    if (commits.size() == 5'000 || i == kRows) {
      Check(store.CommitReadings(commits), "commit");
      commits.clear();
    }
  }
  Check(store.access().InsertUser(
            {"alice", "clinician", "", "$argon2id$unused", false, "", 0, kStartMs}),
        "user");
  Check(store.access().AddCareTeamMember(kPatient, "alice"), "care team");
  const int64_t now = SystemClock::Instance().NowMillis();
  Check(store.access().InsertSession(
            {access::TokenHash("bench-token"), "alice", now, now, "127.0.0.1"}),
        "session");
}

}  // namespace

int main(int argc, char** argv) {
  int page = 100, threads = 2, api_threads = 16;
  std::string only;  // one stack by name (for a profiler), or all
  double seconds = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
    if (a == "--page") {
      page = std::stoi(next());
    } else if (a == "--seconds") {
      seconds = std::stod(next());
    } else if (a == "--threads") {
      threads = std::stoi(next());
    } else if (a == "--only") {
      only = next();
    } else if (a == "--api-threads") {
      api_threads = std::stoi(next());
    } else {
      std::fprintf(
          stderr,
          "usage: %s [--page N] [--seconds S] [--threads T] [--api-threads A] [--only STACK]\n",
          argv[0]);
      return 2;
    }
  }
  char tmpl[] = "/tmp/vigil-api-cost-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string db_path = dir + "/vigil.db";
  auto store = std::move(store::OpenSqliteStore(db_path, store::OpenMode::kCreate)).value();
  auto master = crypto::RandomBytes(32);
  Check(master.status(), "master key");
  store::KeyRing keys(*store, *master);
  const auto load0 = Steady::now();
  Populate(*store, keys);
  std::fprintf(stderr, "api_cost: %d rows loaded in %.1f s\n", kRows,
               std::chrono::duration<double>(Steady::now() - load0).count());

  auto ledger = std::move(ledger::Ledger::Open(*store)).value();
  ledger::BatchedAuditTrail audit(*ledger, SystemClock::Instance(), 256);
  access::AuthService auth(store->access(), keys, SystemClock::Instance(),
                           access::SessionSettings{}, audit);
  api::ApiService api({*store, keys, auth, audit, *ledger, SystemClock::Instance(), "bench"});

  store::ObservationQuery query;
  query.patient_id = kPatient;
  query.limit = static_cast<uint64_t>(page) + 1;
  const std::string url_prefix = "https://hub.bench/fhir/Observation/";
  // The stacks, each a superset of the one before: the page visited (rows read in place),
  // then each row opened, then each rendered into a Bundle.
  enum class Stage { kStore, kDecrypt, kFhir };
  auto search = [&](Stage stage) {
    std::optional<store::ObservationOpener> opener;
    thread_local model::Observation observation;
    std::optional<api::BundleWriter> bundle;
    if (stage == Stage::kFhir) bundle.emplace(api::BundleLinks{}, std::nullopt, page * 1100);
    std::string full_url = url_prefix;
    uint64_t rows = 0;
    bool opened = true;
    const Status read =
        store->VisitObservations(query, [&](const store::SealedObservationView& row) {
          if (++rows == query.limit || stage == Stage::kStore) return true;
          if (!opener) {
            auto key = keys.DataKey(kPatient);
            if (!key.ok()) return opened = false;
            opener.emplace(*key);
          }
          if (!opener->OpenInto(row, observation).ok()) return opened = false;
          if (!bundle) return true;
          full_url.resize(url_prefix.size());
          full_url += row.id;
          bundle->Add(full_url, [&](std::string& out) { model::AppendFhirJson(out, observation); });
          return true;
        });
    if (!read.ok() || !opened || rows != query.limit) return false;
    return !bundle || std::move(*bundle).Finish().size() > static_cast<size_t>(page) * 100;
  };
  api::ApiRequest request;
  Check(api::ParseTarget("/fhir/Observation?patient=" + std::string(kPatient) +
                             "&_count=" + std::to_string(page),
                         request),
        "target");
  request.method = "GET";
  request.authorization = "Bearer bench-token";
  request.peer_address = "127.0.0.1";
  request.base_url = "https://hub.bench";
  auto handled = [&] {
    const api::HttpReply reply = api.Handle(request);
    return reply.status == 200 && reply.body.size() > static_cast<size_t>(page) * 100;
  };

  std::printf(
      "| stack (page of %d) | threads | searches/s | CPU us/search | p50 / p99 ms | x raw CPU |\n",
      page);
  std::printf("|---|---|---|---|---|---|\n");
  double raw_cpu = 0;
  auto run = [&](const char* name, int n, const std::function<bool()>& search) {
    if (!only.empty() && only != name) return;
    const Figures f = Run(n, seconds, search);
    if (std::string(name) == "raw") raw_cpu = f.cpu_us;
    std::printf("| %s | %d | %.0f | %.1f | %.3f / %.3f | %.2f |\n", name, n, f.per_second, f.cpu_us,
                f.p50_ms, f.p99_ms, raw_cpu > 0 ? f.cpu_us / raw_cpu : 0.0);
    std::fflush(stdout);
  };
  run("raw", threads, [&] {
    thread_local std::unique_ptr<vigil::bench::RawPageQuery> query;  // a connection a thread
    if (!query) query = std::make_unique<vigil::bench::RawPageQuery>(db_path, kPatient, page);
    return (*query)();
  });
  run("store", threads, [&] { return search(Stage::kStore); });
  run("+decrypt", threads, [&] { return search(Stage::kDecrypt); });
  run("+fhir", threads, [&] { return search(Stage::kFhir); });
  run("api", api_threads, handled);
  // Not a stack of the page: one Observation read by id (GET /fhir/Observation/{id}) from the
  // middle of the day, the whole API path, for the read interaction's cost.
  api::ApiRequest read = request;
  Check(api::ParseTarget(
            "/fhir/Observation/" + std::string(kDevice) + "." + std::to_string(kRows / 2) + ".0",
            read),
        "read target");
  run("api read by id", api_threads, [&] { return api.Handle(read).status == 200; });
  // The newest Observation: its receipt is in the tail not yet indexed by device, so the read
  // scans that tail (at most store::sqlite::kReceiptTailRows receipts and one commit's).
  api::ApiRequest newest = request;
  Check(api::ParseTarget(
            "/fhir/Observation/" + std::string(kDevice) + "." + std::to_string(kRows - 1) + ".0",
            newest),
        "newest target");
  run("api read newest by id", api_threads, [&] { return api.Handle(newest).status == 200; });
  audit.Stop();
  store.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
