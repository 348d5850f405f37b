// FHIR Bulk Data Access (IG 2.0) export jobs: a kick-off queues a job; one worker thread runs the
// jobs in turn, authorizing and recording each patient's parts as the API's reads are (so each
// export is in every exported patient's accounting of disclosures), and writes NDJSON files
// encrypted at rest under a key of the job's own that lives only in memory: a file is plain text
// only on its way to the requester, nobody else may fetch it, and all of it is deleted when the
// job expires, is cancelled or the hub stops (a restart leaves nothing readable). A `bulk_export`
// ledger entry names who, how many patients and resources. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/api_request.h"
#include "api/patient_ndjson.h"
#include "api/route_context.h"

namespace vigil::api {

struct BulkRequest {
  bool system = false;  // [base]/$export (the privacy officer); else [base]/Patient/$export
  std::set<ExportType> types;
  std::optional<int64_t> since_ms;
  std::string request_url;  // as asked, for the manifest
};

struct BulkFile {
  ExportType type = ExportType::kPatient;
  std::string name;  // "Observation-2.ndjson"
  uint64_t count = 0;
};

struct BulkJobView {
  enum class State { kQueued, kRunning, kDone, kFailed } state = State::kQueued;
  std::string progress;  // "patient 3 of 20; 45000 resources"
  int64_t transaction_ms = 0;
  int64_t expires_ms = 0;  // when done: the files go then
  std::string request_url;
  std::vector<BulkFile> files;
  std::string error;  // kFailed: why, for the requester
};

class BulkExportJobs {
 public:
  // Files under `dir` (made 0700; what an earlier run left there is deleted: its keys are gone);
  // a finished job is kept `keep_ms`.
  BulkExportJobs(RouteContext& context, std::string dir, int64_t keep_ms = 3'600'000);
  ~BulkExportJobs();  // stops the worker; deletes every job's files
  BulkExportJobs(const BulkExportJobs&) = delete;
  BulkExportJobs& operator=(const BulkExportJobs&) = delete;

  // Queues a job for `session`'s user; its id. ResourceExhausted if the user has
  // kMaxUnfinished jobs queued or running.
  Result<std::string> Start(const BulkRequest& request, const ApiRequest& http,
                            const Session& session);
  // The job as its requester sees it; NotFound for another user's job or an unknown one.
  Result<BulkJobView> View(const std::string& job, const std::string& username);
  // Cancels the job and deletes its files; NotFound as View.
  Status Cancel(const std::string& job, const std::string& username);
  // A finished job's file, decrypted; NotFound as View, or for a file it does not have.
  Result<std::string> Download(const std::string& job, const std::string& file,
                               const std::string& username);

  // Cancels and deletes every job whose files hold `patient_id`'s data (they were erased).
  void Purge(const std::string& patient_id);

  static constexpr int kMaxUnfinished = 2;

 private:
  struct Job;
  void Work();
  Status Run(Job& job);
  Result<std::vector<std::string>> PatientsOf(const Job& job);
  Result<std::optional<PatientExportParts>> PartsFor(const Job& job, const std::string& patient);
  void Report(Job& job, std::string progress);
  using JobMap = std::map<std::string, std::shared_ptr<Job>>;
  void Sweep(int64_t now_ms);  // under mu_: expired jobs' files deleted
  // Under mu_: cancels the job, deletes its files and key unless the worker is on it (it does
  // then), forgets it; the next job.
  JobMap::iterator Drop(JobMap::iterator it);

  RouteContext& context_;
  const std::string dir_;
  const int64_t keep_ms_;
  std::mutex mu_;
  std::condition_variable wake_;
  JobMap jobs_;                             // under mu_
  std::deque<std::shared_ptr<Job>> queue_;  // under mu_
  bool stopping_ = false;                   // under mu_
  std::thread worker_;
};

}  // namespace vigil::api
