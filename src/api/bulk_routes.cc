#include "api/bulk_routes.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "api/api_errors.h"
#include "api/fhir_resources.h"
#include "core/json_string.h"
#include "core/time_format.h"

namespace vigil::api {
namespace {

constexpr std::string_view kSystem = "/fhir/$export", kPatients = "/fhir/Patient/$export",
                           kStatus = "/fhir/bulkstatus/", kFiles = "/fhir/bulkfiles/";

std::optional<ExportType> ParseExportType(std::string_view name) {
  for (auto t : {ExportType::kPatient, ExportType::kDevice, ExportType::kObservation}) {
    if (ExportTypeName(t) == name) return t;
  }
  return std::nullopt;
}

// An HTTP-date (RFC 9110): "Mon, 07 Dec 2026 23:00:00 GMT".
std::string HttpDate(int64_t epoch_ms) {
  const time_t t = static_cast<time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

std::string Query(const ApiRequest& request) {
  std::string out;
  for (const auto& [k, v] : request.query) out += (out.empty() ? "?" : "&") + k + "=" + v;
  return out;
}

}  // namespace

Result<BulkRequest> ParseBulkKickOff(const ApiRequest& request) {
  BulkRequest out;
  out.types = {ExportType::kPatient, ExportType::kDevice, ExportType::kObservation};
  for (const auto& [name, value] : request.query) {
    if (name == "_outputFormat") {
      if (value != "application/fhir+ndjson" && value != "application/ndjson" &&
          value != "ndjson") {
        return Status::InvalidArgument("_outputFormat: only application/fhir+ndjson");
      }
    } else if (name == "_since") {
      auto since = ParseRfc3339Millis(value);
      if (!since.ok()) {
        return Status::InvalidArgument("_since: an instant such as 2026-12-07T09:00:00Z");
      }
      out.since_ms = *since;
    } else if (name == "_type") {
      out.types.clear();
      size_t start = 0;
      while (start <= value.size()) {
        const size_t comma = std::min(value.find(',', start), value.size());
        const std::string_view type(value.data() + start, comma - start);
        auto parsed = ParseExportType(type);
        if (!parsed) {
          return Status::InvalidArgument("_type: " + std::string(type.substr(0, 64)) +
                                         " is not exported (Patient, Device, Observation)");
        }
        out.types.insert(*parsed);
        start = comma + 1;
      }
    } else {
      return Status::InvalidArgument("the export parameter " + name.substr(0, 64) +
                                     " is not supported (_type, _since, _outputFormat)");
    }
  }
  return out;
}

bool BulkRoutes::Serves(std::string_view path) {
  return path == kSystem || path == kPatients || path.starts_with(kStatus) ||
         path.starts_with(kFiles);
}

HttpReply BulkRoutes::Handle(const ApiRequest& request, const Session& session) {
  const std::string& path = request.path;
  if (path == kSystem || path == kPatients) {
    if (request.method != "GET") return OperationOutcome(405, "not-supported", "use GET");
    return KickOff(request, session, path == kSystem);
  }
  if (!jobs_) return OperationOutcome(503, "transient", "this hub keeps no export files");
  const std::string& user = session.who.username;
  if (path.starts_with(kStatus)) {
    const std::string job = path.substr(kStatus.size());
    if (request.method == "DELETE") {
      if (Status s = jobs_->Cancel(job, user); !s.ok()) return FhirError(s);
      return OperationOutcome(202, "informational", "export " + job + " cancelled");
    }
    if (request.method != "GET") return OperationOutcome(405, "not-supported", "GET or DELETE");
    return JobStatus(request, session, job);
  }
  const std::string rest = path.substr(kFiles.size());
  const size_t slash = rest.find('/');
  if (request.method != "GET" || slash == std::string::npos) {
    return OperationOutcome(404, "not-found", "GET /fhir/bulkfiles/{job}/{file}");
  }
  auto file = jobs_->Download(rest.substr(0, slash), rest.substr(slash + 1), user);
  if (!file.ok()) return FhirError(file.status());
  return HttpReply(200, "application/fhir+ndjson", std::move(file).value());
}

HttpReply BulkRoutes::KickOff(const ApiRequest& request, const Session& session, bool system) {
  if (request.prefer.find("respond-async") == std::string::npos) {
    return OperationOutcome(400, "invalid", "an export needs the header Prefer: respond-async");
  }
  if (!request.accept.empty() &&
      request.accept.find("application/fhir+json") == std::string::npos &&
      request.accept.find("*/*") == std::string::npos &&
      request.accept.find("application/json") == std::string::npos) {
    return OperationOutcome(400, "invalid", "Accept: application/fhir+json");
  }
  auto parsed = ParseBulkKickOff(request);
  if (!parsed.ok()) return FhirError(parsed.status());
  const access::Role role = session.who.role;
  const std::string endpoint = system ? "$export" : "Patient/$export";
  if (system) {
    if (auto s = context_.Require(request, session, access::Action::kBulkExport, "", endpoint);
        !s.ok()) {
      return FhirError(s);
    }
  } else if (role != access::Role::kPatient && role != access::Role::kClinician &&
             role != access::Role::kNurse && role != access::Role::kPrivacyOfficer) {
    return FhirError(Status::PermissionDenied("this role exports no patient data"));
  }
  if (!jobs_) return OperationOutcome(503, "transient", "this hub keeps no export files");
  parsed->system = system;
  parsed->request_url = request.base_url + "/fhir/" + endpoint + Query(request);
  auto job = jobs_->Start(*parsed, request, session);
  if (!job.ok()) return FhirError(job.status());
  HttpReply reply = OperationOutcome(202, "informational", "export " + *job + " queued");
  reply.headers.emplace_back("Content-Location", request.base_url + std::string(kStatus) + *job);
  return reply;
}

HttpReply BulkRoutes::JobStatus(const ApiRequest& request, const Session& session,
                                const std::string& job) {
  auto view = jobs_->View(job, session.who.username);
  if (!view.ok()) return FhirError(view.status());
  using State = BulkJobView::State;
  if (view->state == State::kQueued || view->state == State::kRunning) {
    HttpReply reply(202, "application/json", "");
    reply.headers.emplace_back("X-Progress", view->progress);
    reply.headers.emplace_back("Retry-After", "1");
    return reply;
  }
  if (view->state == State::kFailed) return OperationOutcome(500, "exception", view->error);
  nlohmann::json output = nlohmann::json::array();
  for (const auto& f : view->files) {
    output.push_back({{"type", std::string(ExportTypeName(f.type))},
                      {"url", request.base_url + std::string(kFiles) + job + "/" + f.name},
                      {"count", f.count}});
  }
  const nlohmann::json manifest = {{"transactionTime", FormatRfc3339Millis(view->transaction_ms)},
                                   {"request", view->request_url},
                                   {"requiresAccessToken", true},
                                   {"output", output},
                                   {"error", nlohmann::json::array()}};
  HttpReply reply(200, "application/json", DumpJson(manifest));
  reply.headers.emplace_back("Expires", HttpDate(view->expires_ms));
  return reply;
}

}  // namespace vigil::api
