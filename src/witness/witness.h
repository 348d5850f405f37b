// A C2SP tlog-witness: it remembers, for each log it is configured with (its origin and note
// verifier key), the largest checkpoint it has cosigned, and cosigns a new checkpoint only when
// a consistency proof shows it extends that one. It therefore never cosigns two views of one
// log (a fork), nor a smaller tree than it saw (a rollback). State lives in <dir>/state.json,
// written (synced, atomically) before a cosignature is returned; the key in <dir>/witness.key.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "ledger/merkle.h"
#include "witness/cosignature.h"

namespace vigil::witness {

// An HTTP answer: status, content type and body.
struct WitnessReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class Witness {
 public:
  // Opens (or, the first time, creates) the witness in `dir` named `name`; `log_keys` are the
  // note verifier keys of the logs it witnesses, each named after its log's origin.
  static Result<std::unique_ptr<Witness>> Open(const std::string& dir, const std::string& name,
                                               const std::vector<std::string>& log_keys,
                                               const Clock& clock);

  // POST add-checkpoint: 200 with the cosignature line; 400 malformed, 403 no valid log
  // signature, 404 unknown origin, 409 (body: the size it holds, text/x.tlog.size) when the old
  // size is not the one it cosigned last or the same size has another root, 422 when the
  // proof does not show consistency. Thread-safe: checks and updates are atomic.
  WitnessReply AddCheckpoint(std::string_view body);

  // "<name>+<key hash>+<base64(0x04 || key)>": what logs and clients verify cosignatures with.
  std::string VerifierKey() const;

  // The largest checkpoint cosigned for a log.
  struct Seen {
    uint64_t size = 0;
    ledger::Hash root{};
  };

 private:
  Witness(std::string dir, CosignerKey key, std::map<std::string, std::string> logs,
          std::map<std::string, Seen> seen, const Clock& clock)
      : dir_(std::move(dir)),
        key_(std::move(key)),
        logs_(std::move(logs)),
        seen_(std::move(seen)),
        clock_(clock) {}
  Status Persist();  // with mu_ held

  std::string dir_;
  CosignerKey key_;
  std::map<std::string, std::string> logs_;  // origin -> verifier key
  std::mutex mu_;
  std::map<std::string, Seen> seen_;  // origin -> the largest checkpoint cosigned
  const Clock& clock_;
};

}  // namespace vigil::witness
