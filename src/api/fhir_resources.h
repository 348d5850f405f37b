// FHIR R4 resources the API serves besides Observation (model/observation.h): Patient, Device,
// AuditEvent, Consent (access/consent.h), OperationOutcome, CapabilityStatement and searchset
// Bundles, as JSON text (application/fhir+json).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/http_reply.h"
#include "events/audit_records.h"
#include "ledger/entry.h"
#include "store/store.h"

namespace vigil::api {

inline constexpr std::string_view kFhirJson = "application/fhir+json";

// A 200 reply of FHIR JSON.
inline HttpReply FhirOk(std::string body) {
  return HttpReply(200, std::string(kFhirJson), std::move(body));
}

// An OperationOutcome reply: `status`, issue code (FHIR issue-type: "security", "not-found",
// "invalid", "login", "processing", ...) and a diagnostics text that names no data.
HttpReply OperationOutcome(int status, std::string_view issue_code, std::string_view diagnostics);

// An OperationOutcome of warnings (a search's ignored parameters), as JSON text, for a
// Bundle entry of search mode "outcome".
std::string WarningOutcome(const std::vector<std::string>& warnings);

// `resource_json` with only its `elements` (and resourceType, id and meta, which FHIR keeps
// always), tagged SUBSETTED in meta.tag as FHIR asks of a resource missing elements.
std::string SubsetResource(std::string_view resource_json,
                           const std::vector<std::string>& elements);

// Patient from the opened demographics ({"name", "birthDate"}).
std::string PatientResource(const std::string& id, const std::string& demographics_json);
std::string DeviceResource(const store::DeviceRecord& device);
// A notice of monitoring stopped or restricted by containment as a Flag (category safety),
// active until the device is released.
std::string FlagResource(const store::MonitoringNotice& notice);
// Who an AuditEvent names as the reader: the user (for staff and auditors), or, for the patient
// reading their own accounting of disclosures, only the reader's role at the hub (never another
// person's username or network address).
enum class AgentView { kUser, kRoleOnly };

// An access entry of the ledger as an AuditEvent (the accounting of disclosures).
std::string AuditEventResource(uint64_t index, int64_t time_ms, const events::audit::Access& entry,
                               const std::string& hub_name, AgentView view = AgentView::kUser);
std::string CapabilityStatement(const std::string& hub_name);

struct BundleEntry {
  std::string full_url;
  std::string resource;  // JSON text
};

struct BundleLinks {
  std::string self;
  std::string next;      // empty: none
  std::string previous;  // empty: none
};

// Writes a searchset Bundle entry by entry straight into its text (a page may hold a thousand
// resources; none is copied).
class BundleWriter {
 public:
  // `total` is left out when not known.
  BundleWriter(BundleLinks links, std::optional<uint64_t> total, size_t reserve_bytes = 0);
  // Appends an entry whose resource `append_resource(std::string&)` writes.
  // `mode`: the entry's search.mode, "match", "include" or "outcome"; `full_url` empty: none
  // (an outcome).
  template <typename AppendResource>
  void Add(std::string_view full_url, AppendResource&& append_resource,
           std::string_view mode = "match") {
    BeginEntry(full_url);
    append_resource(out_);
    out_ += R"(,"search":{"mode":")";
    out_ += mode;
    out_ += "\"}}";
  }
  void AddJson(std::string_view full_url, std::string_view resource_json,
               std::string_view mode = "match") {
    Add(
        full_url, [&](std::string& out) { out += resource_json; }, mode);
  }
  // Sets the "next" link (a search knows it once it has read its page: keyset paging names the
  // page's last row). Before Finish, which writes the links after the entries.
  void AddNextLink(std::string url);
  std::string Finish() &&;

 private:
  void BeginEntry(std::string_view full_url);
  std::string out_;
  BundleLinks links_;
  bool first_ = true;
};

// A searchset Bundle of `entries`.
std::string SearchBundle(const std::vector<BundleEntry>& entries, const BundleLinks& links,
                         std::optional<uint64_t> total);

}  // namespace vigil::api
