#include "api/bulk_export.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/big_endian.h"
#include "core/files.h"
#include "core/time_format.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "events/audit_records.h"

namespace vigil::api {
namespace {

constexpr size_t kChunkBytes = 1 << 20;          // sealed one at a time
constexpr uint64_t kLinesPerFile = 100'000;      // a file is one download: bounded
constexpr int64_t kMaxPatientsPerJob = 100'000;  // a job's list of patients, bounded

std::string ChunkAad(const std::string& job, const std::string& file, uint64_t index) {
  return "vigil.bulk.v1" + std::string(1, '\0') + job + '\0' + file + '\0' + std::to_string(index);
}

// An NDJSON file written as sealed chunks: (length, big-endian u32) || AeadSeal(chunk).
class SealedNdjson {
 public:
  SealedNdjson(std::string path, std::string job, std::string name, const std::string& key)
      : path_(std::move(path)), job_(std::move(job)), name_(std::move(name)), key_(key) {}
  ~SealedNdjson() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view line) {
    if (fd_ < 0) {
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd_ < 0) return Status::IoError("cannot create an export file (disk full?)");
    }
    buffer_ += line;
    buffer_ += '\n';
    ++lines_;
    return buffer_.size() >= kChunkBytes ? Seal() : Status::Ok();
  }
  Status Finish() {
    if (fd_ < 0) return Status::Ok();
    VIGIL_RETURN_IF_ERROR(Seal());
    ::close(fd_);
    fd_ = -1;
    return Status::Ok();
  }
  uint64_t lines() const { return lines_; }
  const std::string& name() const { return name_; }

 private:
  Status Seal() {
    if (buffer_.empty()) return Status::Ok();
    VIGIL_ASSIGN_OR_RETURN(std::string sealed,
                           crypto::AeadSeal(key_, buffer_, ChunkAad(job_, name_, chunks_++)));
    std::string framed;
    PutBigEndian(framed, sealed.size(), 4);
    framed += sealed;
    size_t done = 0;
    while (done < framed.size()) {
      const ssize_t n = ::write(fd_, framed.data() + done, framed.size() - done);
      if (n <= 0) return Status::IoError("cannot write an export file (disk full?)");
      done += static_cast<size_t>(n);
    }
    crypto::Wipe(buffer_);
    buffer_.clear();
    return Status::Ok();
  }

  std::string path_, job_, name_;
  const std::string& key_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t lines_ = 0, chunks_ = 0;
};

Result<std::string> OpenSealedNdjson(const std::string& path, const std::string& job,
                                     const std::string& name, const std::string& key) {
  VIGIL_ASSIGN_OR_RETURN(std::string file, ReadFile(path));
  std::string plain;
  size_t at = 0;
  for (uint64_t index = 0; at < file.size(); ++index) {
    std::string_view rest(file.data() + at, file.size() - at);
    uint64_t length = 0;
    if (!ReadBigEndian(rest, 4, length) || rest.size() < length) {
      return Status::DataLoss("export file " + name + " is torn");
    }
    auto chunk = crypto::AeadOpen(key, rest.substr(0, length), ChunkAad(job, name, index));
    if (!chunk.ok()) return Status::DataLoss("export file " + name + " does not open");
    plain += *chunk;
    at += 4 + length;
  }
  return plain;
}

}  // namespace

struct BulkExportJobs::Job {
  std::string id;
  Session session;
  ApiRequest http;  // the kick-off's address and base URL, for the decisions and the manifest
  BulkRequest request;
  std::string key;  // the files' key: in memory only
  BulkJobView view;
  std::set<std::string> patients;  // whose data its files hold (under mu_)
  std::atomic<bool> cancelled{false};
};

BulkExportJobs::BulkExportJobs(RouteContext& context, std::string dir, int64_t keep_ms)
    : context_(context), dir_(std::move(dir)), keep_ms_(keep_ms) {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);  // an earlier run's files: their keys died with it
  (void)MakePrivateDirectory(dir_);
  worker_ = std::thread([this] { Work(); });
}

BulkExportJobs::~BulkExportJobs() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->cancelled = true;
  }
  wake_.notify_all();
  worker_.join();
  for (auto& [id, job] : jobs_) crypto::Wipe(job->key);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::string> BulkExportJobs::Start(const BulkRequest& request, const ApiRequest& http,
                                          const Session& session) {
  auto job = std::make_shared<Job>();
  VIGIL_ASSIGN_OR_RETURN(std::string id, crypto::RandomBytes(16));
  job->id = crypto::Hex(id);
  VIGIL_ASSIGN_OR_RETURN(job->key, crypto::RandomBytes(crypto::kAeadKeyBytes));
  job->session = session;
  job->http = http;
  job->http.body.clear();
  job->request = request;
  job->view.request_url = request.request_url;
  job->view.progress = "queued";
  std::lock_guard lock(mu_);
  Sweep(context_.deps.clock.NowMillis());
  int unfinished = 0;
  for (const auto& [other_id, other] : jobs_) {
    const auto state = other->view.state;
    unfinished += other->session.who.username == session.who.username &&
                  (state == BulkJobView::State::kQueued || state == BulkJobView::State::kRunning);
  }
  if (unfinished >= kMaxUnfinished) {
    return Status::ResourceExhausted("you have " + std::to_string(unfinished) +
                                     " exports under way: wait for one to finish or cancel it");
  }
  jobs_[job->id] = job;
  queue_.push_back(job);
  wake_.notify_one();
  return job->id;
}

Result<BulkJobView> BulkExportJobs::View(const std::string& job, const std::string& username) {
  std::lock_guard lock(mu_);
  Sweep(context_.deps.clock.NowMillis());
  auto it = jobs_.find(job);
  if (it == jobs_.end() || it->second->session.who.username != username) {
    return Status::NotFound("no export " + job + " of yours (expired, cancelled or unknown)");
  }
  return it->second->view;
}

Status BulkExportJobs::Cancel(const std::string& job, const std::string& username) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(job);
  if (it == jobs_.end() || it->second->session.who.username != username) {
    return Status::NotFound("no export " + job + " of yours (expired, cancelled or unknown)");
  }
  Drop(it);
  return Status::Ok();
}

Result<std::string> BulkExportJobs::Download(const std::string& job, const std::string& file,
                                             const std::string& username) {
  std::shared_ptr<Job> found;
  {
    std::lock_guard lock(mu_);
    Sweep(context_.deps.clock.NowMillis());
    auto it = jobs_.find(job);
    if (it != jobs_.end() && it->second->session.who.username == username &&
        it->second->view.state == BulkJobView::State::kDone) {
      found = it->second;
    }
  }
  const bool has = found && std::any_of(found->view.files.begin(), found->view.files.end(),
                                        [&](const BulkFile& f) { return f.name == file; });
  if (!has) return Status::NotFound("no file " + file + " in an export of yours");
  return OpenSealedNdjson(dir_ + "/" + job + "/" + file, job, file, found->key);
}

void BulkExportJobs::Purge(const std::string& patient_id) {
  std::lock_guard lock(mu_);
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Job& job = *it->second;
    // A job still reading may reach the patient later: the erasure stops it there (Gone).
    if (!job.patients.count(patient_id)) {
      ++it;
      continue;
    }
    it = Drop(it);
  }
}

BulkExportJobs::JobMap::iterator BulkExportJobs::Drop(JobMap::iterator it) {
  Job& job = *it->second;
  job.cancelled = true;  // a running job stops at its next line; the worker deletes its files
  if (job.view.state != BulkJobView::State::kRunning) {
    std::error_code ec;
    std::filesystem::remove_all(dir_ + "/" + it->first, ec);
    crypto::Wipe(job.key);
  }
  return jobs_.erase(it);
}

void BulkExportJobs::Sweep(int64_t now_ms) {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const BulkJobView& v = it->second->view;
    const bool ended =
        v.state == BulkJobView::State::kDone || v.state == BulkJobView::State::kFailed;
    it = ended && v.expires_ms <= now_ms ? Drop(it) : std::next(it);
  }
}

// The patients whose data the job's user may export: the privacy officer's every (living)
// patient; a patient's own record; a caregiver's care teams.
Result<std::vector<std::string>> BulkExportJobs::PatientsOf(const Job& job) {
  store::Store& store = context_.deps.store;
  const access::Principal& who = job.session.who;
  std::vector<std::string> ids;
  if (who.role == access::Role::kPrivacyOfficer) {
    VIGIL_ASSIGN_OR_RETURN(auto patients, store.ListPatients());
    for (const auto& p : patients) ids.push_back(p.id);
  } else if (who.role == access::Role::kPatient) {
    ids.push_back(who.patient_id);
  } else {
    VIGIL_ASSIGN_OR_RETURN(ids, store.access().PatientsCaredForBy(who.username));
  }
  if (static_cast<int64_t>(ids.size()) > kMaxPatientsPerJob) {
    return Status::ResourceExhausted("over " + std::to_string(kMaxPatientsPerJob) +
                                     " patients in one export: use _type or _since");
  }
  return ids;
}

// What of `patient` the job may have, each part decided and recorded as a read; nullopt when
// nothing (refused, or erased meanwhile).
Result<std::optional<PatientExportParts>> BulkExportJobs::PartsFor(const Job& job,
                                                                   const std::string& patient) {
  const auto decide = [&](access::Action action, const std::string& resource) -> Result<bool> {
    auto d = context_.Authorize(job.http, job.session, action, patient, resource + " ($export)");
    if (!d.ok() && d.status().code() == StatusCode::kGone) return false;
    if (!d.ok()) return d.status();
    return d->allowed();
  };
  const auto& types = job.request.types;
  PatientExportParts parts;
  parts.since_ms = job.request.since_ms;
  if (job.session.who.role == access::Role::kPrivacyOfficer) {
    VIGIL_ASSIGN_OR_RETURN(bool may, decide(access::Action::kBulkExport, "Patient/" + patient));
    if (!may) return std::optional<PatientExportParts>();
    parts.patient = types.count(ExportType::kPatient) > 0;
    parts.devices = types.count(ExportType::kDevice) > 0;
    parts.observations = types.count(ExportType::kObservation) > 0;
    return std::optional(parts);
  }
  VIGIL_ASSIGN_OR_RETURN(bool record, decide(access::Action::kReadPatient, "Patient/" + patient));
  if (!record) return std::optional<PatientExportParts>();
  parts.patient = types.count(ExportType::kPatient) > 0;
  parts.devices = false;
  parts.observations = false;
  if (types.count(ExportType::kDevice)) {
    VIGIL_ASSIGN_OR_RETURN(parts.devices,
                           decide(access::Action::kReadDevices, "Device?patient=" + patient));
  }
  if (types.count(ExportType::kObservation)) {
    VIGIL_ASSIGN_OR_RETURN(parts.observations, decide(access::Action::kReadObservations,
                                                      "Observation?patient=" + patient));
  }
  return std::optional(parts);
}

void BulkExportJobs::Report(Job& job, std::string progress) {
  std::lock_guard lock(mu_);
  job.view.progress = std::move(progress);
}

Status BulkExportJobs::Run(Job& job) {
  {
    std::lock_guard lock(mu_);
    job.view.transaction_ms = context_.deps.clock.NowMillis();
  }
  VIGIL_ASSIGN_OR_RETURN(const std::vector<std::string> patients, PatientsOf(job));
  const std::string dir = dir_ + "/" + job.id;
  VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  std::map<ExportType, std::unique_ptr<SealedNdjson>> open;
  std::map<ExportType, int> numbered;
  std::vector<BulkFile> files;
  const auto close = [&](ExportType type) -> Status {
    auto it = open.find(type);
    if (it == open.end()) return Status::Ok();
    VIGIL_RETURN_IF_ERROR(it->second->Finish());
    files.push_back({type, it->second->name(), it->second->lines()});
    open.erase(it);
    return Status::Ok();
  };
  uint64_t resources = 0, exported_patients = 0;
  for (size_t i = 0; i < patients.size(); ++i) {
    if (job.cancelled) return Status::Aborted("cancelled");
    Report(job, "patient " + std::to_string(i + 1) + " of " + std::to_string(patients.size()) +
                    "; " + std::to_string(resources) + " resources");
    VIGIL_ASSIGN_OR_RETURN(auto parts, PartsFor(job, patients[i]));
    if (!parts) continue;
    {
      std::lock_guard lock(mu_);
      job.patients.insert(patients[i]);
    }
    uint64_t sent = 0;
    const Status emitted = EmitPatientData(
        context_.deps.store, context_.deps.keys, patients[i], *parts,
        [&](ExportType type, std::string_view line) -> Status {
          if (job.cancelled) return Status::Aborted("cancelled");
          auto& file = open[type];
          if (file && file->lines() >= kLinesPerFile) {
            VIGIL_RETURN_IF_ERROR(close(type));
          }
          if (!open[type]) {
            const std::string name = std::string(ExportTypeName(type)) + "-" +
                                     std::to_string(++numbered[type]) + ".ndjson";
            open[type] = std::make_unique<SealedNdjson>(dir + "/" + name, job.id, name, job.key);
          }
          ++sent;
          return open[type]->Append(line);
        });
    if (emitted.code() == StatusCode::kGone || emitted.code() == StatusCode::kNotFound) {
      continue;  // erased (or gone) while the job ran: nothing of it is exported
    }
    VIGIL_RETURN_IF_ERROR(emitted);
    resources += sent;
    exported_patients += sent > 0;
    context_.ReportSent(job.http, job.session, patients[i], sent);
  }
  for (auto type : {ExportType::kPatient, ExportType::kDevice, ExportType::kObservation}) {
    VIGIL_RETURN_IF_ERROR(close(type));
  }
  std::string types;
  for (auto t : job.request.types)
    types += (types.empty() ? "" : ",") + std::string(ExportTypeName(t));
  VIGIL_RETURN_IF_ERROR(context_.deps.audit.Append(events::Record(
      context_.deps.clock.NowMillis(),
      events::audit::BulkExport{.job = job.id,
                                .by = job.session.who.username,
                                .scope = job.request.system ? "system" : "patients",
                                .patients = std::to_string(exported_patients),
                                .resources = std::to_string(resources),
                                .types = types,
                                .since = job.request.since_ms
                                             ? FormatRfc3339Millis(*job.request.since_ms)
                                             : std::string()})));
  std::lock_guard lock(mu_);
  job.view.files = std::move(files);
  job.view.progress = "done: " + std::to_string(resources) + " resources";
  return Status::Ok();
}

void BulkExportJobs::Work() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      if (job->cancelled) continue;
      job->view.state = BulkJobView::State::kRunning;
    }
    const Status ran = Run(*job);
    std::lock_guard lock(mu_);
    if (job->cancelled) {
      std::error_code ec;
      std::filesystem::remove_all(dir_ + "/" + job->id, ec);
      continue;
    }
    job->view.state = ran.ok() ? BulkJobView::State::kDone : BulkJobView::State::kFailed;
    job->view.expires_ms = context_.deps.clock.NowMillis() + keep_ms_;
    if (!ran.ok()) {
      job->view.error = ran.code() == StatusCode::kInternal || ran.code() == StatusCode::kIoError
                            ? "the export could not be written"
                            : ran.message();
      std::error_code ec;
      std::filesystem::remove_all(dir_ + "/" + job->id, ec);
      job->view.files.clear();
    }
  }
}

}  // namespace vigil::api
