#include "witness/add_checkpoint.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "crypto/ed25519.h"

namespace vigil::witness {

Result<AddCheckpoint> ParseAddCheckpoint(std::string_view body) {
  if (body.size() > kMaxRequestBytes) return Status::InvalidArgument("request too large");
  AddCheckpoint out;
  auto line = [&body]() -> std::optional<std::string_view> {
    const auto end = body.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view l = body.substr(0, end);
    body.remove_prefix(end + 1);
    return l;
  };
  const auto old = line();
  if (!old || !old->starts_with("old ")) return Status::InvalidArgument("no old size line");
  const std::string_view digits = old->substr(4);
  const auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), out.old_size);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      (digits.size() > 1 && digits[0] == '0')) {
    return Status::InvalidArgument("old size is not a decimal without leading zeroes");
  }
  while (true) {
    const auto hash = line();
    if (!hash) return Status::InvalidArgument("no empty line before the checkpoint");
    if (hash->empty()) break;
    if (out.proof.size() == kMaxProofLines) return Status::InvalidArgument("too many proof lines");
    auto bytes = crypto::Base64Decode(*hash);
    // Canonical base64 only: one spelling per hash (the fuzz target found a second one).
    if (!bytes.ok() || bytes->size() != 32 || crypto::Base64Encode(*bytes) != *hash) {
      return Status::InvalidArgument("a proof line is not a base64 SHA-256 hash");
    }
    ledger::Hash h;
    std::copy(bytes->begin(), bytes->end(), h.begin());
    out.proof.push_back(h);
  }
  if (body.empty()) return Status::InvalidArgument("no checkpoint");
  out.checkpoint = std::string(body);
  return out;
}

std::string RenderAddCheckpoint(const AddCheckpoint& request) {
  std::string out = "old " + std::to_string(request.old_size) + "\n";
  for (const auto& h : request.proof) {
    out +=
        crypto::Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
    out += "\n";
  }
  return out + "\n" + request.checkpoint;
}

}  // namespace vigil::witness
