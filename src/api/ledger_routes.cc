#include "api/ledger_routes.h"

#include <charconv>

#include "api/api_errors.h"
#include "core/json_string.h"
#include "ledger/proof_json.h"

namespace vigil::api {
namespace {

// A non-negative integer query parameter; `fallback` when absent.
Result<uint64_t> NumberParam(const ApiRequest& request, std::string_view name, uint64_t fallback) {
  const auto text = request.Param(name);
  if (!text) return fallback;
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return Status::InvalidArgument(std::string(name) + " must be a non-negative integer");
  }
  return v;
}

}  // namespace

HttpReply LedgerRoutes::Handle(const ApiRequest& request) {
  if (request.method != "GET") {
    return MethodNotAllowed("GET");
  }
  if (request.path == "/ledger/checkpoint") {
    auto checkpoint = ledger::LatestCheckpoint(deps_.store);
    if (!checkpoint.ok()) return ProblemFor(checkpoint.status());
    return HttpReply(200, "text/plain; charset=utf-8", checkpoint->note);
  }
  // Outsiders see the ledger as far as it is signed: no proof reaches past the latest signed
  // checkpoint, and no answer names the live, unsigned size.
  auto signed_head = ledger::LatestCheckpoint(deps_.store);
  if (!signed_head.ok()) return ProblemFor(signed_head.status());
  const uint64_t signed_size = signed_head->size;
  const auto beyond = [signed_size](uint64_t size) {
    return ProblemFor(Status::NotFound("the latest signed checkpoint covers " +
                                       std::to_string(signed_size) + " entries, not " +
                                       std::to_string(size)));
  };
  Result<nlohmann::json> proof = Status::NotFound("no such resource");
  if (request.path == "/ledger/proof/inclusion") {
    auto index = NumberParam(request, "index", UINT64_MAX);
    auto size = NumberParam(request, "size", 0);
    if (!index.ok()) return ProblemFor(index.status());
    if (!size.ok()) return ProblemFor(size.status());
    if (*index == UINT64_MAX) return ProblemFor(Status::InvalidArgument("index is required"));
    const uint64_t tree = *size == 0 ? signed_size : *size;
    if (tree > signed_size) return beyond(tree);
    if (*index >= tree) return beyond(*index + 1);
    proof = ledger::InclusionProofJson(deps_.store, deps_.ledger, *index, tree);
  } else if (request.path == "/ledger/proof/consistency") {
    auto old_size = NumberParam(request, "old", 0);
    auto new_size = NumberParam(request, "new", 0);
    if (!old_size.ok()) return ProblemFor(old_size.status());
    if (!new_size.ok()) return ProblemFor(new_size.status());
    const uint64_t tree = *new_size == 0 ? signed_size : *new_size;
    if (tree > signed_size) return beyond(tree);
    proof = ledger::ConsistencyProofJson(deps_.store, deps_.ledger, *old_size, tree);
  }
  if (!proof.ok()) return ProblemFor(proof.status());
  if (proof->contains("entry")) proof->erase("entry");  // hashes only
  return HttpReply(200, "application/json", DumpJson(*proof));
}

}  // namespace vigil::api
