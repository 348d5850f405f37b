// The baseline of bench/api_bench.py: the FHIR API's Observation page query run straight on a
// hub's SQLite file — no TLS, HTTP, session, authorization, audit entry, decryption or FHIR
// serialization. Usage: api_raw_query DB PATIENT PAGE_SIZE SECONDS THREADS
// Prints one JSON line: queries/s and latency percentiles (ms).

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "raw_page_query.h"
#include "timed_threads.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s DB PATIENT PAGE_SIZE SECONDS THREADS\n", argv[0]);
    return 2;
  }
  const std::string db_path = argv[1], patient = argv[2];
  const int page = std::atoi(argv[3]), threads = std::atoi(argv[5]);
  thread_local std::unique_ptr<vigil::bench::RawPageQuery> query;
  const vigil::bench::TimedRun run = vigil::bench::RunTimed(threads, std::atof(argv[4]), [&] {
    if (!query) query = std::make_unique<vigil::bench::RawPageQuery>(db_path, patient, page);
    return (*query)();
  });
  if (run.failed) {
    std::fprintf(stderr, "api_raw_query: the query failed or found no rows\n");
    return 1;
  }
  std::printf("{\"queries\": %zu, \"per_second\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f}\n",
              run.latencies_ms.size(), run.per_second(), run.percentile_ms(0.50),
              run.percentile_ms(0.99));
  return 0;
}
