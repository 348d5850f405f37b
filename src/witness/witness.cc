#include "witness/witness.h"

#include <nlohmann/json.hpp>

#include "core/files.h"
#include "crypto/ed25519.h"
#include "ledger/checkpoint.h"
#include "witness/add_checkpoint.h"

namespace vigil::witness {
namespace {

using nlohmann::json;

WitnessReply Reply(int status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body) + "\n"};
}

std::string HashText(const ledger::Hash& h) {
  return crypto::Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

Result<std::map<std::string, Witness::Seen>> LoadState(const std::string& path);

}  // namespace

Result<std::unique_ptr<Witness>> Witness::Open(const std::string& dir, const std::string& name,
                                               const std::vector<std::string>& log_keys,
                                               const Clock& clock) {
  if (name.empty() || name.find_first_of(" +\n\t") != std::string::npos) {
    return Status::InvalidArgument(
        "a witness name has no spaces or '+' (e.g. witness.example.org/w1)");
  }
  std::map<std::string, std::string> logs;
  for (const auto& vkey : log_keys) {
    VIGIL_RETURN_IF_ERROR(ledger::VerifierPublicKey(vkey).status());
    logs[vkey.substr(0, vkey.find('+'))] = vkey;
  }
  if (!PathExists(dir)) VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  const std::string key_path = dir + "/witness.key";
  CosignerKey key;
  key.name = name;
  if (PathExists(key_path)) {
    VIGIL_ASSIGN_OR_RETURN(key.private_key, ReadFile(key_path));
  } else {
    VIGIL_ASSIGN_OR_RETURN(auto pair, crypto::GenerateEd25519());
    VIGIL_RETURN_IF_ERROR(WriteFileAtomic(key_path, pair.private_key, 0600));
    key.private_key = pair.private_key;
  }
  auto public_key = crypto::Ed25519PublicKey(key.private_key);
  if (!public_key.ok()) return Status::DataLoss(key_path + " is not an Ed25519 key");
  key.public_key = *public_key;
  VIGIL_ASSIGN_OR_RETURN(auto seen, LoadState(dir + "/state.json"));
  auto witness = std::unique_ptr<Witness>(
      new Witness(dir, std::move(key), std::move(logs), std::move(seen), clock));
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/witness.vkey", witness->VerifierKey() + "\n", 0644,
                                        Overwrite::kReplace));
  return witness;
}

std::string Witness::VerifierKey() const { return CosignerVerifierKey(key_.name, key_.public_key); }

WitnessReply Witness::AddCheckpoint(std::string_view body) {
  auto request = ParseAddCheckpoint(body);
  if (!request.ok()) return Reply(400, request.status().message());
  const auto parts = ledger::SplitNote(request->checkpoint);
  if (!parts) return Reply(400, "the checkpoint is not a signed note");
  const std::string origin(parts->body.substr(0, parts->body.find('\n')));
  const auto log = logs_.find(origin);
  if (log == logs_.end()) return Reply(404, "unknown log origin");
  auto checkpoint = ledger::OpenCheckpoint(request->checkpoint, log->second);
  if (checkpoint.status().code() == StatusCode::kInvalidArgument) {
    return Reply(400, checkpoint.status().message());
  }
  if (!checkpoint.ok()) return Reply(403, "no signature by the log's key verifies");
  if (checkpoint->origin != origin)
    return Reply(403, "the log's key is not named after its origin");
  if (request->old_size > checkpoint->size) return Reply(400, "old size is above the checkpoint's");

  std::lock_guard lock(mu_);
  const Seen seen = seen_.count(origin) ? seen_[origin] : Seen{};
  const WitnessReply conflict{409, "text/x.tlog.size", std::to_string(seen.size) + "\n"};
  if (request->old_size != seen.size) return conflict;
  if (request->old_size == checkpoint->size) {
    if (seen.size > 0 && checkpoint->root != seen.root) return conflict;  // a fork at one size
    if (!request->proof.empty()) return Reply(422, "the proof must be empty for the same size");
  } else if (request->old_size == 0) {
    if (!request->proof.empty()) return Reply(422, "the proof must be empty from size 0");
  } else if (!ledger::VerifyConsistency(seen.size, checkpoint->size, seen.root, checkpoint->root,
                                        request->proof)) {
    return Reply(422, "the consistency proof does not verify: not an extension of " +
                          std::to_string(seen.size) + " " + HashText(seen.root));
  }
  seen_[origin] = {checkpoint->size, checkpoint->root};
  if (Status persisted = Persist(); !persisted.ok()) {
    seen_[origin] = seen;
    return Reply(500, "the witness could not record the checkpoint");
  }
  auto line = Cosign(parts->body, key_, static_cast<uint64_t>(clock_.NowMillis() / 1000));
  if (!line.ok()) return Reply(500, "the witness could not sign");
  return {200, "text/plain; charset=utf-8", *line};
}

Status Witness::Persist() {
  json logs = json::object();
  for (const auto& [origin, seen] : seen_) {
    logs[origin] = {{"size", seen.size}, {"root", HashText(seen.root)}};
  }
  return WriteFileAtomic(dir_ + "/state.json", json{{"logs", logs}}.dump(1) + "\n", 0600,
                         Overwrite::kReplace);
}

namespace {

Result<std::map<std::string, Witness::Seen>> LoadState(const std::string& path) {
  std::map<std::string, Witness::Seen> seen;
  if (!PathExists(path)) return seen;
  VIGIL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const Status unreadable = Status::DataLoss(path + " is not readable: restore it from a backup");
  if (!doc.is_object() || !doc.contains("logs") || !doc["logs"].is_object()) return unreadable;
  for (const auto& [origin, entry] : doc["logs"].items()) {
    if (!entry.is_object() || !entry.contains("size") || !entry["size"].is_number_unsigned() ||
        !entry.contains("root") || !entry["root"].is_string()) {
      return unreadable;
    }
    auto root = crypto::Base64Decode(entry["root"].get<std::string>());
    if (!root.ok() || root->size() != 32) return unreadable;
    Witness::Seen s;
    s.size = entry["size"].get<uint64_t>();
    std::copy(root->begin(), root->end(), s.root.begin());
    seen[origin] = s;
  }
  return seen;
}

}  // namespace
}  // namespace vigil::witness
