#include "ledger/ledger_export.h"

#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "core/json_string.h"
#include "core/time_format.h"
#include "crypto/bytes.h"
#include "ledger/proof_json.h"

namespace vigil::ledger {
namespace {

using nlohmann::json;

constexpr uint64_t kPageEntries = 10'000;

// The entries to prove: all of them for small ledgers, an even sample (and the last) beyond.
std::vector<uint64_t> InclusionSample(uint64_t size) {
  std::vector<uint64_t> out;
  if (size <= kMaxInclusionProofs) {
    for (uint64_t i = 0; i < size; ++i) out.push_back(i);
    return out;
  }
  const uint64_t step = size / kMaxInclusionProofs;
  for (uint64_t i = 0; i < size; i += step) out.push_back(i);
  if (out.back() != size - 1) out.push_back(size - 1);
  return out;
}

}  // namespace

Result<ExportSummary> ExportLedger(store::LedgerStore& store, Ledger& ledger,
                                   const std::string& verifier_key, const std::string& dir,
                                   const std::function<void(uint64_t, uint64_t)>& progress) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    return Status::AlreadyExists(dir + " exists and is not empty");
  }
  if (!PathExists(dir)) VIGIL_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  VIGIL_ASSIGN_OR_RETURN(auto latest, LatestCheckpoint(store));
  VIGIL_ASSIGN_OR_RETURN(auto checkpoints, store.ListCheckpoints());
  ExportSummary summary;
  const uint64_t size = latest.size;

  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/verifier.key", verifier_key + "\n"));
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/checkpoint.txt", latest.note));
  std::string lines;
  for (const auto& c : checkpoints) {
    lines += DumpJson(
        {{"size", c.size}, {"note", c.note}, {"created", FormatRfc3339Millis(c.created_ms)}});
    lines += '\n';
  }
  summary.checkpoints = checkpoints.size();
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/checkpoints.jsonl", lines));

  {
    const std::string path = dir + "/entries.jsonl";
    std::ofstream out(path, std::ios::trunc);
    if (!out) return Status::IoError("cannot write " + path);
    for (uint64_t from = 0; from < size; from += kPageEntries) {
      VIGIL_ASSIGN_OR_RETURN(auto page,
                             store.LedgerEntries(from, std::min(kPageEntries, size - from)));
      for (size_t i = 0; i < page.size(); ++i)
        out << DumpJson(EntryJson(from + i, page[i])) << '\n';
      summary.entries += page.size();
      if (progress) progress(summary.entries, size);
    }
    out.close();
    if (!out) return Status::IoError("cannot write " + path);
  }

  json inclusion = json::array();
  for (uint64_t index : InclusionSample(size)) {
    VIGIL_ASSIGN_OR_RETURN(json proof, InclusionProofJson(store, ledger, index, size));
    proof.erase("checkpoint");
    proof.erase("entry");
    inclusion.push_back(std::move(proof));
  }
  summary.inclusion_proofs = inclusion.size();
  json consistency = json::array();
  for (const auto& c : checkpoints) {
    if (c.size == 0 || c.size == size) continue;
    VIGIL_ASSIGN_OR_RETURN(json proof, ConsistencyProofJson(store, ledger, c.size, size));
    consistency.push_back(std::move(proof));
  }
  summary.consistency_proofs = consistency.size();
  VIGIL_ASSIGN_OR_RETURN(Hash root, ledger.Root(size));
  const json proofs = {{"tree_size", size},
                       {"root_hash", crypto::Hex(root)},
                       {"inclusion", std::move(inclusion)},
                       {"consistency", std::move(consistency)}};
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(dir + "/proofs.json", DumpJson(proofs)));
  return summary;
}

}  // namespace vigil::ledger
