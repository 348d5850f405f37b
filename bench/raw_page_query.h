// The raw baseline of the FHIR API benchmarks: the first page of a patient's Observations
// straight from the hub's SQLite file, every column read, on a read-only connection of its own
// (one per thread) — no session, authorization, audit entry, decryption or serialization.
#pragma once

#include <sqlite3.h>

#include <string>

namespace vigil::bench {

class RawPageQuery {
 public:
  // The statement Store::VisitObservations prepares for `?patient=P&_count=N`: one more row
  // than the page, as the API asks for, to know whether there is a next page.
  RawPageQuery(const std::string& db_path, std::string patient, int page)
      : patient_(std::move(patient)), page_(page) {
    ok_ = sqlite3_open_v2(db_path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                          nullptr) == SQLITE_OK &&
          sqlite3_prepare_v2(db_,
                             "SELECT id, patient_id, device_id, code, effective_ms, seq, sealed"
                             " FROM observations WHERE patient_id = ?"
                             " ORDER BY effective_ms, id LIMIT ? OFFSET ?",
                             -1, &st_, nullptr) == SQLITE_OK;
  }
  ~RawPageQuery() {
    sqlite3_finalize(st_);
    sqlite3_close(db_);
  }
  RawPageQuery(const RawPageQuery&) = delete;
  RawPageQuery& operator=(const RawPageQuery&) = delete;

  // Runs the query once; false if it failed or did not fill the page.
  bool operator()() {
    if (!ok_) return false;
    sqlite3_bind_text(st_, 1, patient_.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st_, 2, page_ + 1);
    sqlite3_bind_int64(st_, 3, 0);
    int rows = 0;
    while (sqlite3_step(st_) == SQLITE_ROW) {
      // Every column read in its own type, in place, as the store's page visit reads them.
      for (int c : {0, 1, 2, 3, 6}) {
        const void* v = sqlite3_column_blob(st_, c);
        sink_ += v ? static_cast<size_t>(sqlite3_column_bytes(st_, c)) : 0;
      }
      sink_ += static_cast<size_t>(sqlite3_column_int64(st_, 4) ^ sqlite3_column_int64(st_, 5));
      ++rows;
    }
    sqlite3_reset(st_);
    return rows >= page_;
  }

 private:
  std::string patient_;
  int page_;
  bool ok_ = false;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
  size_t sink_ = 0;  // what was read, so that none of it is optimized away
};

}  // namespace vigil::bench
