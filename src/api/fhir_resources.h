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

// An OperationOutcome reply: `status`, issue code (FHIR issue-type: "security", "not-found",
// "invalid", "login", "processing", ...) and a diagnostics text that names no data.
HttpReply OperationOutcome(int status, std::string_view issue_code, std::string_view diagnostics);

// Patient from the opened demographics ({"name", "birthDate"}).
std::string PatientResource(const std::string& id, const std::string& demographics_json);
std::string DeviceResource(const store::DeviceRecord& device);
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
  BundleWriter(const BundleLinks& links, std::optional<uint64_t> total, size_t reserve_bytes = 0);
  // Appends an entry whose resource `append_resource(std::string&)` writes.
  template <typename AppendResource>
  void Add(std::string_view full_url, AppendResource&& append_resource) {
    BeginEntry(full_url);
    append_resource(out_);
    out_ += R"(,"search":{"mode":"match"}})";
  }
  void AddJson(std::string_view full_url, std::string_view resource_json) {
    Add(full_url, [&](std::string& out) { out += resource_json; });
  }
  // Takes the "next" link out again (a search finds there is no next page once it has read this
  // one). Before Finish.
  void DropNextLink();
  std::string Finish() &&;

 private:
  void BeginEntry(std::string_view full_url);
  std::string out_;
  size_t next_begin_ = 0, next_end_ = 0;  // where the "next" link is in out_; empty: none
  bool first_ = true;
};

// A searchset Bundle of `entries`.
std::string SearchBundle(const std::vector<BundleEntry>& entries, const BundleLinks& links,
                         std::optional<uint64_t> total);

}  // namespace vigil::api
