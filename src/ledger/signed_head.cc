#include "ledger/signed_head.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/files.h"
#include "core/time_format.h"

namespace vigil::ledger {
namespace {

using nlohmann::json;

Status Unreadable(const std::string& path, const std::string& why) {
  return Status::DataLoss(path + " (the hub's last signed checkpoint) " + why +
                          "; restore it from a backup of the data directory, or move it aside "
                          "if the database is known good");
}

}  // namespace

Status WriteSignedHead(const std::string& path, const SignedHead& head, Env& env) {
  json devices = json::object();
  for (const auto& [id, seq] : head.device_last_seq) devices[id] = seq;
  const json doc = {{"version", 1},
                    {"note", head.note},
                    {"size", head.checkpoint.size},
                    {"signed", FormatRfc3339Millis(head.signed_ms)},
                    {"signed_ms", head.signed_ms},
                    {"device_last_seq", std::move(devices)}};
  return env.WriteFileAtomic(path, doc.dump(1) + "\n", 0600, Overwrite::kReplace);
}

Result<std::optional<SignedHead>> ReadSignedHead(const std::string& path,
                                                 std::string_view verifier_key) {
  if (!PathExists(path)) return std::optional<SignedHead>();
  VIGIL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("note") || !doc["note"].is_string() ||
      !doc.contains("signed_ms") || !doc["signed_ms"].is_number_integer()) {
    return Unreadable(path, "is not readable");
  }
  SignedHead head;
  head.note = doc["note"].get<std::string>();
  head.signed_ms = doc["signed_ms"].get<int64_t>();
  auto opened = OpenOwnCheckpoint(head.note, verifier_key);
  if (!opened.ok()) return Unreadable(path, "does not verify with ledger.vkey");
  head.checkpoint = *opened;
  if (const auto it = doc.find("device_last_seq"); it != doc.end() && it->is_object()) {
    for (const auto& [id, seq] : it->items()) {
      if (!seq.is_number_unsigned()) return Unreadable(path, "is not readable");
      head.device_last_seq[id] = seq.get<uint64_t>();
    }
  }
  return std::optional(std::move(head));
}

Result<store::StoredCheckpoint> MakeRememberedCheckpoint(
    Ledger& ledger, store::DeviceRegistry& devices, const std::string& head_path,
    const std::string& origin, const NoteKey& key, int64_t now_ms, Env& env) {
  VIGIL_ASSIGN_OR_RETURN(auto made, ledger.MakeCheckpoint(origin, key, now_ms));
  SignedHead head;
  head.note = made.note;
  head.signed_ms = made.created_ms;
  // Read after the checkpoint is durable: every sequence number here was acknowledged.
  VIGIL_ASSIGN_OR_RETURN(auto enrolled, devices.ListDevices());
  for (const auto& d : enrolled) {
    if (d.last_seq > 0) head.device_last_seq[d.id] = d.last_seq;
  }
  VIGIL_RETURN_IF_ERROR(WriteSignedHead(head_path, head, env));
  return made;
}

Status AppendCheckpointLog(const std::string& path, const std::string& note) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot open the checkpoint log " + path);
  const std::string record = note + "\n";
  const bool written =
      ::write(fd, record.data(), record.size()) == static_cast<ssize_t>(record.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Status::IoError("cannot append to the checkpoint log " + path);
  return Status::Ok();
}

Result<std::vector<Checkpoint>> ReadCheckpointNotes(std::string_view text,
                                                    std::string_view verifier_key,
                                                    const std::string& where) {
  std::vector<Checkpoint> out;
  // A note is its body (origin, size, root), a blank line and signature lines; notes in a log
  // are separated by another blank line.
  size_t start = 0;
  while (start < text.size()) {
    while (start < text.size() && text[start] == '\n') ++start;
    if (start >= text.size()) break;
    const size_t body_end = text.find("\n\n", start);
    if (body_end == std::string_view::npos) break;
    size_t end = text.find("\n\n", body_end + 2);
    end = end == std::string_view::npos ? text.size() : end + 1;
    auto opened = OpenOwnCheckpoint(text.substr(start, end - start), verifier_key);
    if (!opened.ok()) {
      return Status::InvalidArgument(where + ": a checkpoint does not verify with ledger.vkey (" +
                                     opened.status().message() + ")");
    }
    out.push_back(*opened);
    start = end;
  }
  if (out.empty()) return Status::InvalidArgument(where + " holds no signed checkpoint");
  return out;
}

Status CheckStoreHoldsHead(Ledger& ledger, const SignedHead& head, const std::string& db_path,
                           const std::string& head_path) {
  const uint64_t stored = ledger.size();
  const uint64_t signed_size = head.checkpoint.size;
  const std::string when = FormatRfc3339Millis(head.signed_ms);
  if (stored < signed_size) {
    return Status::FailedPrecondition(
        db_path + " holds " + std::to_string(stored) + " ledger entries, but this hub signed a " +
        "checkpoint of " + std::to_string(signed_size) + " entries at " + when + " (" + head_path +
        "): the database lost its newest " + std::to_string(signed_size - stored) +
        " entries and the readings they recorded (a damaged or truncated vigil.db-wal, or a "
        "copy of a running hub). The hub will not sign over the loss. `vigil recover --data-dir "
        "<dir>` reports what was lost and records it; or restore the data directory from a "
        "backup");
  }
  auto root = ledger.Root(signed_size);
  if (!root.ok() || *root != head.checkpoint.root) {
    return Status::FailedPrecondition(
        db_path + " does not hold the tree this hub signed at " + std::to_string(signed_size) +
        " entries at " + when + " (" + head_path +
        "): its ledger was replaced or rewritten. Restore the data directory from a backup");
  }
  return Status::Ok();
}

}  // namespace vigil::ledger
