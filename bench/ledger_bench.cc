// The audit ledger at scale (issue #4): durable appends/s in batches, inclusion- and
// consistency-proof latency, and full verification time, on a real SQLite store.
// Usage: ledger_bench [--entries N] [--batch B] [--checkpoints-at N1,N2,...] [--dir D] [--keep]
//                     [--without-patients]
//        ledger_bench --dir D --verify-only   (a --keep'd store: full verification, 3 times)
//        ledger_bench --dir D --proofs-only   (a --keep'd store: proof latency, 3 times)
// Prints a Markdown table. Every figure is measured, nothing asserted.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "admin/ledger_verify.h"
#include "core/files.h"
#include "core/hub_layout.h"
#include "crypto/ed25519.h"
#include "ledger/ledger.h"
#include "ledger/ledger_key.h"
#include "store/store.h"

namespace {

using namespace vigil;
using Stopwatch = std::chrono::steady_clock;

double Seconds(Stopwatch::time_point since) {
  return std::chrono::duration<double>(Stopwatch::now() - since).count();
}

// A realistic entry: an access decision (what most of a hub's entries are, besides batches).
// Without a patient it is not indexed for the accounting of disclosures.
ledger::LedgerEntry SampleEntry(uint64_t i, bool with_patient) {
  ledger::LedgerEntry e{ledger::EntryType::kAccess,
                        1'800'000'000'000 + static_cast<int64_t>(i),
                        {{"user", "clinician-" + std::to_string(i % 500)},
                         {"role", "clinician"},
                         {"patient", "p-" + std::to_string(i % 20'000)},
                         {"action", "read-observations"},
                         {"resource", "Observation?patient=p-" + std::to_string(i % 20'000)},
                         {"decision", "allowed"},
                         {"basis", "care-team+consent"}}};
  if (!with_patient) e.fields.erase("patient");
  return e;
}

struct Latency {
  double p50_us, p99_us;
};

template <typename Fn>
Latency Measure(int count, Fn&& fn) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto t0 = Stopwatch::now();
    if (!fn(i)) {
      std::fprintf(stderr, "ledger_bench: a proof failed\n");
      std::exit(1);
    }
    us.push_back(std::chrono::duration<double, std::micro>(Stopwatch::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

struct ProofLatency {
  Latency inclusion, consistency;
};

// 10,000 inclusion proofs of random entries and 10,000 consistency proofs from random older
// sizes, against the tree of `size` entries.
ProofLatency MeasureProofs(ledger::Ledger& ledger, uint64_t size, std::mt19937_64& rng) {
  auto nodes = ledger.nodes();
  const Latency inclusion = Measure(10'000, [&](int) {
    const uint64_t index = rng() % size;
    return ledger::InclusionProof(index, size, nodes).ok();
  });
  const Latency consistency = Measure(10'000, [&](int) {
    const uint64_t old_size = 1 + rng() % size;
    return ledger::ConsistencyProof(old_size, size, nodes).ok();
  });
  return {inclusion, consistency};
}

void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "ledger_bench: %s\n", s.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t entries = 1'000'000, batch = 10'000;
  std::vector<uint64_t> marks;
  std::string dir;
  bool keep = false, with_patients = true, verify_only = false, proofs_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--entries")
      entries = std::stoull(next());
    else if (a == "--batch")
      batch = std::stoull(next());
    else if (a == "--dir")
      dir = next();
    else if (a == "--keep")
      keep = true;
    else if (a == "--without-patients")
      with_patients = false;
    else if (a == "--verify-only")  // time full verification of a kept --dir, three times
      verify_only = true;
    else if (a == "--proofs-only")  // proof latency on a kept --dir, three times
      proofs_only = true;
    else if (a == "--checkpoints-at") {
      std::string list = next();
      for (size_t p = 0; p < list.size();) {
        const size_t c = list.find(',', p);
        marks.push_back(std::stoull(list.substr(p, c - p)));
        p = c == std::string::npos ? list.size() : c + 1;
      }
    } else {
      std::fprintf(stderr,
                   "usage: %s [--entries N] [--batch B] [--checkpoints-at N1,N2] [--dir D] "
                   "[--keep] [--without-patients] [--verify-only] [--proofs-only]\n",
                   argv[0]);
      return 2;
    }
  }
  if (verify_only) {
    const HubLayout layout(dir);
    auto store =
        std::move(store::OpenSqliteStore(layout.database(), store::OpenMode::kOpenExisting))
            .value();
    auto key = std::move(ledger::LoadOrCreateLedgerKey(layout, "localhost/ledger/bench", "bench"))
                   .value()
                   .key;
    const std::string vkey = ledger::VerifierKey(key.name, key.public_key);
    for (int run = 0; run < 3; ++run) {
      const auto v0 = Stopwatch::now();
      auto report = admin::VerifyLedger(*store, vkey);
      Check(report.status());
      std::printf("verified %llu entries in %.2f s\n",
                  static_cast<unsigned long long>(report->entries), Seconds(v0));
    }
    return 0;
  }
  if (proofs_only) {
    auto store =
        std::move(store::OpenSqliteStore(HubLayout(dir).database(), store::OpenMode::kOpenExisting))
            .value();
    auto ledger = std::move(ledger::Ledger::Open(*store)).value();
    std::mt19937_64 rng(7);
    for (int run = 0; run < 3; ++run) {
      const auto [inclusion, consistency] = MeasureProofs(*ledger, ledger->size(), rng);
      std::printf(
          "%llu entries: inclusion p50 %.1f p99 %.1f us, consistency p50 %.1f p99 %.1f us\n",
          static_cast<unsigned long long>(ledger->size()), inclusion.p50_us, inclusion.p99_us,
          consistency.p50_us, consistency.p99_us);
    }
    return 0;
  }
  if (marks.empty()) marks.push_back(std::min<uint64_t>(1'000'000, entries));
  if (marks.back() != entries) marks.push_back(entries);
  if (dir.empty()) {
    char tmpl[] = "/tmp/vigil-ledger-bench-XXXXXX";
    dir = mkdtemp(tmpl);
  } else if (Status made = MakePrivateDirectory(dir);
             !made.ok() && made.code() != StatusCode::kAlreadyExists) {
    Check(made);
  }
  Check(MakePrivateDirectory(dir + "/keys"));
  const HubLayout layout(dir);
  auto store =
      std::move(store::OpenSqliteStore(layout.database(), store::OpenMode::kCreate)).value();
  auto ledger = std::move(ledger::Ledger::Open(*store)).value();
  auto key = std::move(ledger::LoadOrCreateLedgerKey(layout, "localhost/ledger/bench", "bench"))
                 .value()
                 .key;
  const std::string vkey = ledger::VerifierKey(key.name, key.public_key);

  std::printf(
      "| entries | durable appends/s (batches of %llu) | inclusion proof p50 / p99 us |"
      " consistency proof p50 / p99 us | full verification s |\n|---|---|---|---|---|\n",
      static_cast<unsigned long long>(batch));
  std::mt19937_64 rng(42);
  uint64_t appended = 0;
  double append_seconds = 0;
  for (uint64_t mark : marks) {
    std::vector<ledger::LedgerEntry> group;
    while (appended < mark) {
      group.clear();
      const uint64_t n = std::min(batch, mark - appended);
      for (uint64_t i = 0; i < n; ++i) group.push_back(SampleEntry(appended + i, with_patients));
      // Only the append is timed: the entries are the caller's to make.
      const auto t0 = Stopwatch::now();
      Check(ledger->Append(group));
      append_seconds += Seconds(t0);
      appended += n;
    }
    Check(ledger->MakeCheckpoint(key.name, key, 1'800'000'000'000).status());
    const auto [inclusion, consistency] = MeasureProofs(*ledger, mark, rng);
    const auto v0 = Stopwatch::now();
    auto report = admin::VerifyLedger(*store, vkey);
    Check(report.status());
    const double verify_seconds = Seconds(v0);
    std::printf("| %llu | %.0f | %.1f / %.1f | %.1f / %.1f | %.1f |\n",
                static_cast<unsigned long long>(mark),
                static_cast<double>(appended) / append_seconds, inclusion.p50_us, inclusion.p99_us,
                consistency.p50_us, consistency.p99_us, verify_seconds);
    std::fflush(stdout);
  }
  std::printf("\nstore: %s (%.0f MB)\n", layout.database().c_str(),
              static_cast<double>(std::filesystem::file_size(layout.database())) / 1e6);
  store.reset();
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
