#include "ledger/entry.h"

#include <algorithm>
#include <vector>

#include "core/big_endian.h"
#include "crypto/bytes.h"

namespace vigil::ledger {
namespace {

constexpr char kVersion1 = 0x01;
constexpr char kVersion3 = 0x03;  // with a salt, committed to by its hash

void PutBytes(std::string& out, std::string_view bytes) {
  PutBigEndian(out, bytes.size(), 4);
  out.append(bytes);
}

}  // namespace

std::string EncodeEntry(const LedgerEntry& e) {
  std::string out;
  if (e.salt.size() == kEntrySaltBytes) {
    out.push_back(kVersion3);
    out.append(e.salt);
  } else {
    out.push_back(kVersion1);
  }
  out.push_back(static_cast<char>(e.type));
  PutBigEndian(out, static_cast<uint64_t>(e.time_ms), 8);
  out.push_back(static_cast<char>(e.fields.size()));
  for (const auto& [name, value] : e.fields) {  // std::map: sorted by name
    out.push_back(static_cast<char>(name.size()));
    out.append(name);
    PutBytes(out, value);
  }
  return out;
}

namespace {

// Walks a version-1 encoding, calling `on_field(name, value)` for each field; false unless the
// bytes are exactly one canonical entry (fields sorted by name, nothing after them).
template <typename OnField>
bool WalkEntry(std::string_view in, uint64_t& type, uint64_t& time, std::string_view& salt,
               OnField&& on_field) {
  uint64_t version, count;
  if (!ReadBigEndian(in, 1, version) || version < 1 || version > 3) return false;
  if (version >= 2) {
    if (in.size() < kEntrySaltBytes) return false;
    salt = in.substr(0, kEntrySaltBytes);
    in.remove_prefix(kEntrySaltBytes);
  }
  if (!ReadBigEndian(in, 1, type) || type < 1 ||
      type > static_cast<uint64_t>(EntryType::kLastType) || !ReadBigEndian(in, 8, time) ||
      !ReadBigEndian(in, 1, count)) {
    return false;
  }
  std::string_view previous;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t name_len, value_len;
    if (!ReadBigEndian(in, 1, name_len) || in.size() < name_len) return false;
    const std::string_view name = in.substr(0, name_len);
    in.remove_prefix(name_len);
    if (!ReadBigEndian(in, 4, value_len) || in.size() < value_len || (i > 0 && name <= previous)) {
      return false;
    }
    on_field(name, in.substr(0, value_len));
    in.remove_prefix(value_len);
    previous = name;
  }
  return in.empty();
}

}  // namespace

Result<LedgerEntry> DecodeEntry(std::string_view in) {
  LedgerEntry e;
  uint64_t type = 0, time = 0;
  std::string_view salt;
  if (!WalkEntry(in, type, time, salt, [&](std::string_view name, std::string_view value) {
        e.fields.emplace(std::string(name), std::string(value));
      })) {
    return Status::InvalidArgument("not a canonical ledger entry (version 1, 2 or 3)");
  }
  e.salt = std::string(salt);
  e.type = static_cast<EntryType>(type);
  e.time_ms = static_cast<int64_t>(time);
  return e;
}

Result<EntryType> CheckEntry(std::string_view in) {
  uint64_t type = 0, time = 0;
  std::string_view salt;
  if (!WalkEntry(in, type, time, salt, [](std::string_view, std::string_view) {})) {
    return Status::InvalidArgument("not a canonical ledger entry (version 1, 2 or 3)");
  }
  return static_cast<EntryType>(type);
}

bool HasPublicLeaf(std::string_view entry) { return !entry.empty() && entry[0] == kVersion3; }

std::string LeafData(std::string_view entry) {
  if (!HasPublicLeaf(entry)) return std::string(entry);
  const auto digest = crypto::Sha256(entry);
  std::string leaf(1, kVersion3);
  leaf.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return leaf;
}

Hash EntryLeafHash(std::string_view entry) {
  return HasPublicLeaf(entry) ? LeafHash(LeafData(entry)) : LeafHash(entry);
}

std::string BatchDigest(std::span<const store::ReadingCommit> receipts,
                        std::span<const store::SealedObservation> observations) {
  std::vector<const store::ReadingCommit*> r;
  std::vector<const store::SealedObservation*> o;
  for (const auto& c : receipts) {
    r.push_back(&c);
    for (const auto& obs : c.observations) o.push_back(&obs);
  }
  for (const auto& obs : observations) o.push_back(&obs);
  std::sort(r.begin(), r.end(), [](auto* a, auto* b) {
    const int order = a->device_id.compare(b->device_id);  // one comparison of the ids, not two
    return order != 0 ? order < 0 : a->seq < b->seq;
  });
  std::sort(o.begin(), o.end(), [](auto* a, auto* b) { return a->id < b->id; });
  // Sized first: a commit of a thousand readings hashes ~300 KB, which grown by doubling would
  // be copied about twice over on the commit thread.
  size_t size = 0;
  for (const auto* c : r) size += 4 + c->device_id.size() + 8 + 4 + c->payload_digest.size() + 8;
  for (const auto* s : o) {
    size += 4 * 5 + s->id.size() + s->patient_id.size() + s->device_id.size() + s->code.size() +
            s->sealed.size() + 8 + 8;
  }
  std::string material;
  material.reserve(size);
  for (const auto* c : r) {
    PutBytes(material, c->device_id);
    PutBigEndian(material, c->seq, 8);
    PutBytes(material, c->payload_digest);
    PutBigEndian(material, static_cast<uint64_t>(c->received_ms), 8);
  }
  for (const auto* s : o) {
    PutBytes(material, s->id);
    PutBytes(material, s->patient_id);
    PutBytes(material, s->device_id);
    PutBytes(material, s->code);
    PutBigEndian(material, static_cast<uint64_t>(s->effective_ms), 8);
    PutBigEndian(material, s->seq, 8);
    PutBytes(material, s->sealed);
  }
  const auto digest = crypto::Sha256(material);
  return std::string(digest.begin(), digest.end());
}

}  // namespace vigil::ledger
