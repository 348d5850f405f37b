// The baseline of bench/api_bench.py: the FHIR API's Observation page query run straight on a
// hub's SQLite file — no TLS, HTTP, session, authorization, audit entry, decryption or FHIR
// serialization. Usage: api_raw_query DB PATIENT PAGE_SIZE SECONDS THREADS
// Prints one JSON line: queries/s and latency percentiles (ms).
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// The statement Store::QueryObservations prepares for `?patient=P&_count=N` (one more row
// than the page, as the API asks for, to know whether there is a next page).
constexpr const char* kQuery =
    "SELECT id, patient_id, device_id, code, effective_ms, seq, sealed FROM observations"
    " WHERE patient_id = ? ORDER BY effective_ms, id LIMIT ? OFFSET ?";

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s DB PATIENT PAGE_SIZE SECONDS THREADS\n", argv[0]);
    return 2;
  }
  const std::string db_path = argv[1], patient = argv[2];
  const int page = std::atoi(argv[3]), threads = std::atoi(argv[5]);
  const auto duration = std::chrono::seconds(std::atoi(argv[4]));
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      sqlite3* db = nullptr;
      sqlite3_stmt* st = nullptr;
      if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
          sqlite3_prepare_v2(db, kQuery, -1, &st, nullptr) != SQLITE_OK) {
        failed = true;
        sqlite3_close(db);
        return;
      }
      std::vector<double> mine;
      std::string sink;
      while (Clock::now() - start < duration) {
        const auto t0 = Clock::now();
        sqlite3_bind_text(st, 1, patient.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, page + 1);
        sqlite3_bind_int64(st, 3, 0);
        int rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
          // Read every column as the API's store layer does.
          for (int c = 0; c < 7; ++c) {
            const void* v = sqlite3_column_blob(st, c);
            sink.assign(static_cast<const char*>(v ? v : ""),
                        static_cast<size_t>(sqlite3_column_bytes(st, c)));
          }
          ++rows;
        }
        sqlite3_reset(st);
        if (rows == 0) failed = true;
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      sqlite3_finalize(st);
      sqlite3_close(db);
      std::lock_guard lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed || latencies_ms.empty()) {
    std::fprintf(stderr, "api_raw_query: the query failed or found no rows\n");
    return 1;
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms[std::min(
        latencies_ms.size() - 1,
        static_cast<size_t>(p * static_cast<double>(latencies_ms.size())))];
  };
  std::printf("{\"queries\": %zu, \"per_second\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f}\n",
              latencies_ms.size(), static_cast<double>(latencies_ms.size()) / seconds, pct(0.50),
              pct(0.99));
  return 0;
}
