// `vigil patient export --id P --out DIR [--since T]`: a patient's data for them to take
// elsewhere (GDPR Art. 20, HIPAA right of access), as FHIR R4 NDJSON — Patient.ndjson,
// Device.ndjson, Observation.ndjson, one resource a line — and manifest.json (what each file
// holds, how many, its SHA-256), the shape of a FHIR Bulk Data export. Files 0600 in a new 0700
// directory, each written under a temporary name and renamed once complete; the read is recorded
// in the ledger before anything is written; progress on stderr.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "admin/hub_admin.h"
#include "api/patient_ndjson.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/time_format.h"
#include "crypto/bytes.h"
#include "privacy/research_export.h"

namespace vigil::cli {
namespace {

// One NDJSON file: written as `<path>.part` (0600), renamed to `path` once complete and synced.
class NdjsonFile {
 public:
  static Result<NdjsonFile> Create(std::string path) {
    const std::string part = path + ".part";
    const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IoError("cannot create " + part);
    return NdjsonFile(std::move(path), fd);
  }
  NdjsonFile(NdjsonFile&& other) noexcept
      : path_(std::move(other.path_)),
        fd_(std::exchange(other.fd_, -1)),
        buffer_(std::move(other.buffer_)),
        lines_(other.lines_) {}
  ~NdjsonFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view resource_json) {
    buffer_ += resource_json;
    buffer_ += '\n';
    ++lines_;
    return buffer_.size() >= (1 << 20) ? Flush() : Status::Ok();
  }
  // Writes what is buffered, syncs, and gives the file its name; its line count and SHA-256.
  Result<std::pair<uint64_t, std::string>> Finish() {
    VIGIL_RETURN_IF_ERROR(Flush());
    if (::fsync(fd_) != 0) return Status::IoError("cannot sync " + path_);
    ::close(fd_);
    fd_ = -1;
    if (::rename((path_ + ".part").c_str(), path_.c_str()) != 0) {
      return Status::IoError("cannot rename " + path_ + ".part");
    }
    return std::pair{lines_, crypto::Hex(digest_.Finish())};
  }

 private:
  NdjsonFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status Flush() {
    digest_.Update(buffer_);
    size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n <= 0) return Status::IoError("cannot write " + path_ + " (disk full?)");
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
    return Status::Ok();
  }

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t lines_ = 0;
  crypto::Sha256Stream digest_;  // of what was written, as it is written
};

// "Observations: 12,000 of 100,000 (12%)" on one line of a terminal; every quarter elsewhere.
class Progress {
 public:
  Progress() : tty_(::isatty(2) != 0) {}
  void Show(uint64_t done, uint64_t total) {
    total_ = total;
    const uint64_t percent = total_ ? done * 100 / total_ : 100;
    if (tty_) {
      std::fprintf(stderr, "\rObservations: %llu of %llu (%llu%%)",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                   static_cast<unsigned long long>(percent));
    } else if (percent / 25 > shown_ / 25 || done == total_) {
      std::fprintf(stderr, "Observations: %llu of %llu (%llu%%)\n",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                   static_cast<unsigned long long>(percent));
    }
    shown_ = percent;
  }
  void End() {
    if (tty_) std::fputc('\n', stderr);
  }

 private:
  uint64_t total_ = 0;
  const bool tty_;
  uint64_t shown_ = 0;
};

}  // namespace

Status RunPatientExport(const PatientExportOptions& o) {
  std::optional<int64_t> since_ms;
  if (!o.since.empty()) {
    auto parsed = ParseRfc3339Millis(o.since);
    if (!parsed.ok())
      return Status::InvalidArgument("--since: an instant such as 2026-12-07T09:00:00Z");
    since_ms = *parsed;
  }
  if (PathExists(o.out_dir)) {
    return Status::AlreadyExists(o.out_dir +
                                 " exists: name a new directory (nothing is overwritten)");
  }
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(o.data_dir));
  VIGIL_ASSIGN_OR_RETURN(auto patient, hub.store->FindPatient(o.id));
  if (!patient) return Status::NotFound("no patient " + o.id);
  VIGIL_RETURN_IF_ERROR(store::RefuseErased(hub.store->privacy(), o.id));
  // Recorded before anything is read: the patient's accounting of disclosures shows the export.
  VIGIL_RETURN_IF_ERROR(
      admin::RecordOperatorReads(hub, {o.id}, "export of Patient/", "vigil patient export"));
  VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(o.out_dir));
  const int64_t started_ms = SystemClock::Instance().NowMillis();
  std::vector<NdjsonFile> files;
  for (auto type :
       {api::ExportType::kPatient, api::ExportType::kDevice, api::ExportType::kObservation}) {
    VIGIL_ASSIGN_OR_RETURN(
        NdjsonFile file,
        NdjsonFile::Create(o.out_dir + "/" + std::string(api::ExportTypeName(type)) + ".ndjson"));
    files.push_back(std::move(file));
  }
  Progress progress;
  VIGIL_RETURN_IF_ERROR(api::EmitPatientData(
      *hub.store, *hub.keys, o.id, {.since_ms = since_ms},
      [&](api::ExportType type, std::string_view line) {
        return files[static_cast<size_t>(type)].Append(line);
      },
      [&](uint64_t read, uint64_t total) { progress.Show(read, total); }));
  progress.End();
  nlohmann::json output = nlohmann::json::array();
  for (auto type :
       {api::ExportType::kPatient, api::ExportType::kDevice, api::ExportType::kObservation}) {
    VIGIL_ASSIGN_OR_RETURN(auto done, files[static_cast<size_t>(type)].Finish());
    const std::string name(api::ExportTypeName(type));
    output.push_back({{"type", name},
                      {"url", name + ".ndjson"},
                      {"count", done.first},
                      {"sha256", done.second}});
  }
  nlohmann::json manifest = {{"transactionTime", FormatRfc3339Millis(started_ms)},
                             {"request", "vigil patient export --id " + o.id +
                                             (o.since.empty() ? "" : " --since " + o.since)},
                             {"requiresAccessToken", false},
                             {"output", output},
                             {"error", nlohmann::json::array()}};
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(o.out_dir + "/manifest.json", manifest.dump(2) + "\n"));
  std::cout << "exported " << o.id << " to " << o.out_dir << ":";
  for (const auto& f : output)
    std::cout << " " << f["count"] << " " << f["type"].get<std::string>();
  std::cout << "\n";
  return Status::Ok();
}

Status RunResearchExport(const std::string& data_dir, const std::string& out_dir) {
  if (PathExists(out_dir)) {
    return Status::AlreadyExists(out_dir +
                                 " exists: name a new directory (nothing is overwritten)");
  }
  VIGIL_ASSIGN_OR_RETURN(admin::AdminHub hub, admin::OpenAdminHub(data_dir));
  VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(out_dir));
  const int64_t started_ms = SystemClock::Instance().NowMillis();
  std::map<std::string, NdjsonFile> files;
  VIGIL_ASSIGN_OR_RETURN(
      privacy::ResearchReport report,
      privacy::ExportResearchData(
          *hub.store, *hub.keys, started_ms,
          [&](const std::string& patient) {
            return admin::RecordOperatorReads(hub, {patient}, "research export of Patient/",
                                              "vigil research export");
          },
          [&](std::string_view type, std::string_view line) -> Status {
            auto it = files.find(std::string(type));
            if (it == files.end()) {
              VIGIL_ASSIGN_OR_RETURN(
                  NdjsonFile file,
                  NdjsonFile::Create(out_dir + "/" + std::string(type) + ".ndjson"));
              it = files.emplace(std::string(type), std::move(file)).first;
            }
            return it->second.Append(line);
          }));
  nlohmann::json output = nlohmann::json::array();
  for (auto& [type, file] : files) {
    VIGIL_ASSIGN_OR_RETURN(auto done, file.Finish());
    output.push_back({{"type", type},
                      {"url", type + ".ndjson"},
                      {"count", done.first},
                      {"sha256", done.second}});
  }
  const nlohmann::json manifest = {{"transactionTime", FormatRfc3339Millis(started_ms)},
                                   {"request", "vigil research export --consented-only"},
                                   {"requiresAccessToken", false},
                                   {"output", output},
                                   {"error", nlohmann::json::array()}};
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(out_dir + "/manifest.json", manifest.dump(2) + "\n"));
  VIGIL_RETURN_IF_ERROR(
      WriteFileAtomic(out_dir + "/report.json", privacy::ResearchReportJson(report) + "\n"));
  std::cout << "research export in " << out_dir << ": " << report.patients
            << " patient(s) with consent to research; " << report.without_research_consent
            << " without, " << report.restricted << " restricted, " << report.erased
            << " erased left out; what was removed or transformed: report.json\n";
  return Status::Ok();
}

}  // namespace vigil::cli
