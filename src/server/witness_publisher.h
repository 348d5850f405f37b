// Sends each checkpoint the hub signs to the witnesses it is configured with (C2SP
// tlog-witness add-checkpoint, with a consistency proof from the size each witness last
// cosigned), checks each cosignature against that witness's key, and adds the valid ones to the
// stored note (so /ledger/checkpoint and the tiles' checkpoint carry them) and to the
// checkpoint log. Runs on a thread of its own: a slow or absent witness never delays signing,
// and only the newest checkpoint waiting is sent. A witness that has cosigned a larger tree
// than the ledger holds means the ledger was rolled back or forked: said at error level.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/log_limiter.h"
#include "ledger/ledger.h"
#include "ledger/ledger_options.h"
#include "store/ledger_store.h"
#include "witness/cosignature.h"

namespace vigil::server {

class WitnessPublisher {
 public:
  // Fails (InvalidArgument) on a witness whose key does not parse.
  static Result<std::unique_ptr<WitnessPublisher>> Start(ledger::Ledger& ledger,
                                                         store::LedgerStore& store,
                                                         const LedgerOptions& options,
                                                         const Clock& clock);
  ~WitnessPublisher();

  // Queues `checkpoint` for the witnesses (replacing one still waiting). Never blocks.
  void Publish(const store::StoredCheckpoint& checkpoint);

  // Waits until everything queued so far was tried (tests and shutdown).
  void Drain();

 private:
  struct Endpoint {
    WitnessOptions options;
    witness::Cosigner cosigner;
    std::optional<uint64_t> cosigned_size;  // what the witness holds, as far as we know
  };
  WitnessPublisher(ledger::Ledger& ledger, store::LedgerStore& store, std::vector<Endpoint> to,
                   std::string checkpoint_log, const Clock& clock)
      : ledger_(ledger),
        store_(store),
        endpoints_(std::move(to)),
        checkpoint_log_(std::move(checkpoint_log)),
        log_limiter_(clock, 3, 60000) {}
  void Run();
  // The cosignature line of `endpoint` for `checkpoint`, or why there is none.
  Result<std::string> Submit(Endpoint& endpoint, const store::StoredCheckpoint& checkpoint);

  ledger::Ledger& ledger_;
  store::LedgerStore& store_;
  std::vector<Endpoint> endpoints_;
  std::string checkpoint_log_;
  LogLimiter log_limiter_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::optional<store::StoredCheckpoint> pending_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vigil::server
