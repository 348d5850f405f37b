// An HTTP request as the API handlers see it: method, path, decoded query parameters and the
// few headers they read. Independent of the server that received it.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigil::api {

struct ApiRequest {
  std::string method;                                      // "GET", "POST", ...
  std::string path;                                        // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string authorization;                               // the Authorization header
  std::string content_type;                                // the Content-Type header
  std::string accept;                                      // the Accept header
  std::string prefer;  // the Prefer header ("handling=strict": refuse unknown parameters)
  std::string break_glass_reason;  // the Vigil-Break-Glass header (emergency access)
  std::string body;
  std::string cookie;  // the Cookie header (the console's session)
  std::string origin;  // the Origin header (a console form posted from another site is refused)
  std::string host;    // the Host header: only to compare with Origin, never to build links
  std::string peer_address;  // the client's IP address
  std::string base_url;      // [server] public_url: absolute links in Bundles (never Host)

  // The first value of query parameter `name`, if present.
  std::optional<std::string> Param(std::string_view name) const;
  // Every value of query parameter `name` (FHIR repeats `date` for a range).
  std::vector<std::string> Params(std::string_view name) const;
  // The bearer token of the Authorization header; empty if there is none.
  std::string BearerToken() const;
  // The endpoint reached, without the ids in the path: "GET /fhir/Observation",
  // "GET /fhir/Patient/{id}", "GET /fhir/Patient/{id}/$everything". An id is FHIR's
  // [base]/Type/id, or any segment with a digit in it; operations ($..., _history) keep their name.
  std::string Endpoint() const;
};

// Splits a request target into its path and decoded query. InvalidArgument for bad
// percent-encoding.
Status ParseTarget(std::string_view target, ApiRequest& request);

// "/42" or "/42/verb" after a collection's path: a positive id and the verb (empty if none).
struct IdPath {
  int64_t id = 0;
  std::string verb;
};
std::optional<IdPath> ParseIdPath(std::string_view rest);

// The optional note of a body {"note": "..."} (empty body: no note). InvalidArgument otherwise.
Result<std::string> NoteFromBody(const std::string& body);

// The non-empty string members `names` of a JSON object body, in order; InvalidArgument naming
// what is missing.
Result<std::vector<std::string>> StringMembers(const std::string& body,
                                               std::initializer_list<std::string_view> names);

}  // namespace vigil::api
