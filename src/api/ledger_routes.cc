#include "api/ledger_routes.h"

#include <charconv>

#include "api/api_errors.h"
#include "core/json_string.h"
#include "ledger/proof_json.h"
#include "ledger/tiles.h"

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

HttpReply Note(std::string note, const char* cache_control) {
  HttpReply reply(200, "text/plain; charset=utf-8", std::move(note));
  reply.headers.emplace_back("Cache-Control", cache_control);
  return reply;
}

}  // namespace

// C2SP tlog-tiles under the log's prefix (its origin's path): the checkpoint, which changes, and
// tiles and entry bundles, which never do, up to the latest signed checkpoint.
HttpReply LedgerRoutes::Tiles(std::string_view resource) {
  auto signed_head = ledger::LatestCheckpoint(deps_.store);
  if (!signed_head.ok()) return ProblemFor(signed_head.status());
  if (resource == "checkpoint") return Note(std::move(signed_head->note), "max-age=5");
  const auto tile = ledger::ParseTilePath(resource);
  if (!tile) return ProblemFor(Status::NotFound("no such tile (C2SP tlog-tiles paths)"));
  if (!ledger::TileWithin(*tile, signed_head->size)) {
    return ProblemFor(Status::NotFound("the latest signed checkpoint covers " +
                                       std::to_string(signed_head->size) + " entries, not " +
                                       ledger::TilePathString(*tile)));
  }
  auto bytes = tile->entries ? ledger::ReadEntryBundle(*tile, deps_.store)
                             : ledger::ReadHashTile(*tile, deps_.ledger.nodes());
  if (!bytes.ok()) return ProblemFor(bytes.status());
  HttpReply reply(200, "application/octet-stream", std::move(*bytes));
  reply.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  return reply;
}

HttpReply LedgerRoutes::Handle(const ApiRequest& request) {
  if (request.method != "GET") {
    return MethodNotAllowed("GET");
  }
  const std::string tiles = "/ledger/" + deps_.hub_name + "/";
  if (request.path.starts_with(tiles)) {
    return Tiles(std::string_view(request.path).substr(tiles.size()));
  }
  if (request.path == "/ledger/checkpoint") {
    auto size = NumberParam(request, "size", 0);
    if (!size.ok()) return ProblemFor(size.status());
    if (*size > 0) {  // an older signed checkpoint: every one stays retrievable
      auto note = ledger::CheckpointNoteAt(deps_.store, *size);
      if (!note.ok()) return ProblemFor(note.status());
      if (!*note) return ProblemFor(Status::NotFound("no checkpoint was signed at that size"));
      return Note(std::move(**note), "public, max-age=31536000, immutable");
    }
    auto checkpoint = ledger::LatestCheckpoint(deps_.store);
    if (!checkpoint.ok()) return ProblemFor(checkpoint.status());
    return Note(std::move(checkpoint->note), "max-age=5");
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
