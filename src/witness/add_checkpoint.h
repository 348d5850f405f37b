// The body of a C2SP tlog-witness add-checkpoint request: "old <size>\n", up to 63 base64
// consistency-proof hashes one per line, an empty line, then the checkpoint (a signed note).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"

namespace vigil::witness {

inline constexpr size_t kMaxProofLines = 63;
inline constexpr size_t kMaxRequestBytes = 64 * 1024;

struct AddCheckpoint {
  uint64_t old_size = 0;
  std::vector<ledger::Hash> proof = {};
  std::string checkpoint = {};  // the note, signatures included
};

// InvalidArgument naming what is wrong unless `body` is exactly such a request.
Result<AddCheckpoint> ParseAddCheckpoint(std::string_view body);

std::string RenderAddCheckpoint(const AddCheckpoint& request);

}  // namespace vigil::witness
