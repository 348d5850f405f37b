#include "store/ledger_node_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "store/ledger_slots.h"

namespace vigil::store {
namespace {

constexpr uint64_t kHashSize = 32;

// The Env's error, said as the ledger's node file.
Status NodeFileError(const Status& status) {
  return Status(status.code(), "the ledger's node file: " + status.message());
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

Result<std::unique_ptr<LedgerNodeFile>> LedgerNodeFile::Open(Env& env, const std::string& path) {
  auto file = env.OpenFile(path, 0600);
  if (!file.ok()) return NodeFileError(file.status());
  ::chmod(path.c_str(), 0600);
  return std::unique_ptr<LedgerNodeFile>(new LedgerNodeFile(std::move(file).value()));
}

LedgerNodeFile::~LedgerNodeFile() = default;

Status LedgerNodeFile::ReadSlots(uint64_t first_slot, uint64_t count, std::string& out) const {
  if (Status read = file_->Read(first_slot * kHashSize, count * kHashSize, out); !read.ok()) {
    return NodeFileError(read);
  }
  // A slot the file ends inside (a torn or truncated file) holds no node: it reads as zeros,
  // as do the slots past the end.
  const size_t done = out.size();
  if (const size_t torn = done % kHashSize; torn != 0) out.resize(done - torn);
  out.resize(count * kHashSize, '\0');
  return Status::Ok();
}

Status LedgerNodeFile::WriteSlots(uint64_t first_slot, std::string_view bytes) {
  if (Status written = file_->Write(first_slot * kHashSize, bytes); !written.ok()) {
    return NodeFileError(written);
  }
  return Status::Ok();
}

Status LedgerNodeFile::Write(uint64_t first_leaf, uint64_t end_leaf,
                             std::span<const LedgerNodeRecord> nodes) {
  // Slots [2 * first_leaf, 2 * end_leaf - 1) are read, the nodes laid over them and written
  // back as one run (what else is there is kept: a writer repairing nodes must not clear
  // slots another filled since); parents reaching further back are written one by one.
  const uint64_t span_first = 2 * first_leaf;
  const uint64_t span_count = end_leaf > first_leaf ? 2 * (end_leaf - first_leaf) - 1 : 0;
  std::string span;
  VIGIL_RETURN_IF_ERROR(ReadSlots(span_first, span_count, span));
  for (const auto& n : nodes) {
    if (n.hash.size() != kHashSize) return Status::InvalidArgument("a ledger node is not 32 bytes");
    const uint64_t slot = LedgerNodeSlot(n.level, n.index);
    if (slot >= span_first && slot - span_first < span_count) {
      std::memcpy(span.data() + (slot - span_first) * kHashSize, n.hash.data(), kHashSize);
    } else {
      VIGIL_RETURN_IF_ERROR(WriteSlots(slot, n.hash));
    }
  }
  return WriteSlots(span_first, span);
}

Result<std::optional<std::string>> LedgerNodeFile::Read(int level, uint64_t index) const {
  std::string hash;
  VIGIL_RETURN_IF_ERROR(ReadSlots(LedgerNodeSlot(level, index), 1, hash));
  if (AllZero(hash)) return std::optional<std::string>();
  return std::optional<std::string>(std::move(hash));
}

Result<std::vector<LedgerNodeRecord>> LedgerNodeFile::ReadCompletedBy(uint64_t first_leaf,
                                                                      uint64_t end_leaf) const {
  std::vector<LedgerNodeRecord> out;
  if (end_leaf <= first_leaf) return out;
  const uint64_t span_first = 2 * first_leaf;
  std::string span;
  VIGIL_RETURN_IF_ERROR(ReadSlots(span_first, 2 * (end_leaf - first_leaf) - 1, span));
  out.reserve(2 * (end_leaf - first_leaf));
  Status status;
  for (uint64_t leaf = first_leaf; leaf < end_leaf && status.ok(); ++leaf) {
    ForEachNodeCompletedBy(leaf, [&](int level, uint64_t index, uint64_t slot) {
      std::string hash;
      if (slot >= span_first) {
        hash.assign(span, (slot - span_first) * kHashSize, kHashSize);
      } else if (Status s = ReadSlots(slot, 1, hash); !s.ok()) {
        status = s;
      }
      if (AllZero(hash)) hash.clear();
      out.push_back({level, index, std::move(hash)});
    });
  }
  VIGIL_RETURN_IF_ERROR(status);
  return out;
}

Status LedgerNodeFile::Sync() {
  if (Status synced = file_->Sync(); !synced.ok()) return NodeFileError(synced);
  return Status::Ok();
}

}  // namespace vigil::store
