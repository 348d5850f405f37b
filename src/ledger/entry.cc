#include "ledger/entry.h"

#include <algorithm>
#include <vector>

#include "crypto/bytes.h"

namespace vigil::ledger {
namespace {

constexpr char kVersion1 = 0x01;

void PutInt(std::string& out, uint64_t v, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

bool GetInt(std::string_view& in, int bytes, uint64_t& v) {
  if (in.size() < static_cast<size_t>(bytes)) return false;
  v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[static_cast<size_t>(i)]);
  in.remove_prefix(static_cast<size_t>(bytes));
  return true;
}

void PutBytes(std::string& out, std::string_view bytes) {
  PutInt(out, bytes.size(), 4);
  out.append(bytes);
}

}  // namespace

std::string_view EntryTypeName(EntryType type) {
  switch (type) {
    case EntryType::kReadingBatch:
      return "reading_batch";
    case EntryType::kDeviceEnrolled:
      return "device_enrolled";
    case EntryType::kDeviceRevoked:
      return "device_revoked";
    case EntryType::kPatientAdded:
      return "patient_added";
  }
  return "unknown";
}

std::string EncodeEntry(const LedgerEntry& e) {
  std::string out;
  out.push_back(kVersion1);
  out.push_back(static_cast<char>(e.type));
  PutInt(out, static_cast<uint64_t>(e.time_ms), 8);
  out.push_back(static_cast<char>(e.fields.size()));
  for (const auto& [name, value] : e.fields) {  // std::map: sorted by name
    out.push_back(static_cast<char>(name.size()));
    out.append(name);
    PutBytes(out, value);
  }
  return out;
}

Result<LedgerEntry> DecodeEntry(std::string_view in) {
  const Status bad = Status::InvalidArgument("not a version-1 ledger entry");
  uint64_t version, type, time, count;
  if (!GetInt(in, 1, version) || version != 1 || !GetInt(in, 1, type) || type < 1 || type > 4 ||
      !GetInt(in, 8, time) || !GetInt(in, 1, count)) {
    return bad;
  }
  LedgerEntry e;
  e.type = static_cast<EntryType>(type);
  e.time_ms = static_cast<int64_t>(time);
  std::string previous;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t name_len, value_len;
    if (!GetInt(in, 1, name_len) || in.size() < name_len) return bad;
    std::string name(in.substr(0, name_len));
    in.remove_prefix(name_len);
    if (!GetInt(in, 4, value_len) || in.size() < value_len || (i > 0 && name <= previous)) {
      return bad;
    }
    e.fields[name] = std::string(in.substr(0, value_len));
    in.remove_prefix(value_len);
    previous = std::move(name);
  }
  if (!in.empty()) return bad;
  return e;
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
    return a->device_id != b->device_id ? a->device_id < b->device_id : a->seq < b->seq;
  });
  std::sort(o.begin(), o.end(), [](auto* a, auto* b) { return a->id < b->id; });
  std::string material;
  for (const auto* c : r) {
    PutBytes(material, c->device_id);
    PutInt(material, c->seq, 8);
    PutBytes(material, c->payload_digest);
    PutInt(material, static_cast<uint64_t>(c->received_ms), 8);
  }
  for (const auto* s : o) {
    PutBytes(material, s->id);
    PutBytes(material, s->patient_id);
    PutBytes(material, s->device_id);
    PutBytes(material, s->code);
    PutInt(material, static_cast<uint64_t>(s->effective_ms), 8);
    PutInt(material, s->seq, 8);
    PutBytes(material, s->sealed);
  }
  const auto digest = crypto::Sha256(material);
  return std::string(digest.begin(), digest.end());
}

}  // namespace vigil::ledger
