// libFuzzer target: what people-facing clients send the API — request targets (path and
// query, read as an Observation search and a Patient/$everything too, and the "/{id}/verb" tails of
// /security routes, /privacy/patients/{id}/verb), FHIR Consent bodies, erasure reasons, {"note"}
// bodies base32 secrets and C2SP tlog-tiles paths — must never crash a parser; whatever parses must
// round-trip (a parsed Consent renders to FHIR that parses back to the same rules; a parsed id is
// positive).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "access/consent.h"
#include "access/totp.h"
#include "api/api_request.h"
#include "api/bulk_routes.h"
#include "api/fhir_date.h"
#include "api/fhir_search.h"
#include "api/privacy_routes.h"
#include "ledger/tiles.h"
#include "privacy/patient_privacy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  vigil::api::ApiRequest request;
  if (vigil::api::ParseTarget(input, request).ok()) {
    // A search the target parses into is a bounded one: a page of at most the maximum count,
    // a next link's cursor that reads back, and a handled request under strict handling too.
    request.prefer = "handling=strict";
    auto search = vigil::api::ParseObservationSearch(request);
    if (search.ok() && search->query.limit > vigil::api::kMaxCount) abort();
    if (search.ok() && search->query.after) {
      vigil::api::ApiRequest next;
      const std::string cursor =
          vigil::api::CursorOf(search->query.after->first, search->query.after->second);
      next.query = {{"patient", "p"}, {"_cursor", cursor}};
      auto again = vigil::api::ParseObservationSearch(next);
      if (!again.ok() || again->query.after != search->query.after) abort();
    }
    // A Bulk Data kick-off exports some type.
    if (auto bulk = vigil::api::ParseBulkKickOff(request); bulk.ok() && bulk->types.empty()) {
      abort();
    }
    // Patient/$everything: a page of 1 to the maximum count, some type asked for.
    auto everything = vigil::api::ParseEverythingSearch(request);
    if (everything.ok() && (everything->count < 1 || everything->count > vigil::api::kMaxCount ||
                            everything->types.empty())) {
      abort();
    }
  }
  // A privacy officer's target names one patient; a reason the ledger takes is one short line.
  if (auto target = vigil::api::ParsePrivacyPath(input);
      target && (target->patient_id.empty() || target->patient_id.find('/') != std::string::npos)) {
    abort();
  }
  if (vigil::privacy::CheckRequestReason(input).ok() &&
      (input.empty() || input.size() > 300 || input.find('\n') != std::string::npos)) {
    abort();
  }
  (void)vigil::access::Base32Decode(input);
  (void)vigil::api::NoteFromBody(input);
  if (auto id_path = vigil::api::ParseIdPath(input); id_path && id_path->id <= 0) abort();
  // A date search value spans a non-empty interval.
  if (auto date = vigil::api::ParseFhirDateSearch(input);
      date.ok() && date->from_ms && date->to_ms && *date->from_ms > *date->to_ms) {
    abort();
  }
  // A tile path parses only in its one spelling: printing it back gives the same bytes.
  if (auto tile = vigil::ledger::ParseTilePath(input);
      tile && vigil::ledger::TilePathString(*tile) != input) {
    abort();
  }
  auto consent = vigil::access::ConsentFromFhir(input, "p-1");
  if (consent.ok()) {
    auto again =
        vigil::access::ConsentFromFhir(vigil::access::ConsentToFhir(*consent, "p-1"), "p-1");
    if (!again.ok() || again->exceptions.size() != consent->exceptions.size() ||
        again->base_permit != consent->base_permit) {
      abort();
    }
  }
  return 0;
}
