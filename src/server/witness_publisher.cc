#include "server/witness_publisher.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "ledger/signed_head.h"
#include "server/http_client.h"
#include "witness/add_checkpoint.h"

namespace vigil::server {

Result<std::unique_ptr<WitnessPublisher>> WitnessPublisher::Start(ledger::Ledger& ledger,
                                                                  store::LedgerStore& store,
                                                                  const LedgerOptions& options,
                                                                  const Clock& clock) {
  std::vector<Endpoint> endpoints;
  for (const auto& w : options.witnesses) {
    VIGIL_ASSIGN_OR_RETURN(auto cosigner, witness::ParseCosignerVerifierKey(w.key));
    endpoints.push_back({w, std::move(cosigner), std::nullopt});
  }
  auto publisher = std::unique_ptr<WitnessPublisher>(
      new WitnessPublisher(ledger, store, std::move(endpoints), options.checkpoint_log, clock));
  publisher->thread_ = std::thread([raw = publisher.get()] { raw->Run(); });
  return publisher;
}

WitnessPublisher::~WitnessPublisher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WitnessPublisher::Publish(const store::StoredCheckpoint& checkpoint) {
  if (endpoints_.empty()) return;
  {
    std::lock_guard lock(mu_);
    pending_ = checkpoint;
  }
  wake_.notify_all();
}

void WitnessPublisher::Drain() {
  std::unique_lock lock(mu_);
  wake_.wait(lock, [this] { return (!pending_ && !busy_) || stopping_; });
}

void WitnessPublisher::Run() {
  while (true) {
    store::StoredCheckpoint checkpoint;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return pending_.has_value() || stopping_; });
      // On the way out the last checkpoint (signed as the hub stops) is still sent.
      if (!pending_) return;
      checkpoint = std::move(*pending_);
      pending_.reset();
      busy_ = true;
    }
    std::string cosignatures;
    for (auto& endpoint : endpoints_) {
      auto line = Submit(endpoint, checkpoint);
      if (line.ok()) {
        cosignatures += *line;
      } else {
        log_limiter_.Log(
            line.status().code() == StatusCode::kDataLoss ? spdlog::level::err
                                                          : spdlog::level::warn,
            endpoint.options.url,
            "witness " + endpoint.cosigner.name + " did not cosign the checkpoint of " +
                std::to_string(checkpoint.size) + " entries: " + line.status().message());
      }
    }
    if (!cosignatures.empty()) {
      const std::string cosigned = checkpoint.note + cosignatures;
      Status stored = store_.CosignCheckpoint(checkpoint.size, cosigned);
      if (stored.ok() && !checkpoint_log_.empty()) {
        stored = ledger::AppendCheckpointLog(checkpoint_log_, cosigned);
      }
      if (!stored.ok()) spdlog::warn("cosignatures not kept: {}", stored.message());
    }
    {
      std::lock_guard lock(mu_);
      busy_ = false;
    }
    wake_.notify_all();
  }
}

Result<std::string> WitnessPublisher::Submit(Endpoint& endpoint,
                                             const store::StoredCheckpoint& checkpoint) {
  // At most twice: the first answer may only tell us the size the witness holds.
  for (int attempt = 0; attempt < 2; ++attempt) {
    witness::AddCheckpoint request{.old_size = endpoint.cosigned_size.value_or(0),
                                   .checkpoint = checkpoint.note};
    if (request.old_size > checkpoint.size) {
      endpoint.cosigned_size.reset();
      return Status::DataLoss("it has cosigned " + std::to_string(request.old_size) +
                              " entries of this ledger, more than the " +
                              std::to_string(checkpoint.size) +
                              " signed now: the ledger was rolled back or forked (see "
                              "docs/ledger.md, Witnesses)");
    }
    if (request.old_size > 0 && request.old_size < checkpoint.size) {
      VIGIL_ASSIGN_OR_RETURN(
          request.proof,
          ledger::ConsistencyProof(request.old_size, checkpoint.size, ledger_.nodes()));
    }
    std::string url = endpoint.options.url;
    if (!url.ends_with("/")) url += "/";
    VIGIL_ASSIGN_OR_RETURN(auto answer, CallHttp({.method = "POST",
                                                  .url = url + "add-checkpoint",
                                                  .body = witness::RenderAddCheckpoint(request),
                                                  .cafile = endpoint.options.cafile,
                                                  .timeout = std::chrono::seconds(10),
                                                  .max_answer_bytes = 64 * 1024}));
    if (answer.status == 200) {
      const auto parts = ledger::SplitNote(checkpoint.note);
      if (!parts) return Status::Internal("the hub's own note does not parse");
      auto time = witness::VerifyCosignature(parts->body, answer.body, endpoint.cosigner);
      if (!time.ok()) return Status::PermissionDenied("its answer holds no valid cosignature");
      endpoint.cosigned_size = checkpoint.size;
      // Only the line that verified, whatever else the answer held.
      std::string_view lines = answer.body;
      while (!lines.empty()) {
        const auto end = lines.find('\n');
        const std::string_view line =
            lines.substr(0, end == std::string_view::npos ? lines.size() : end + 1);
        lines.remove_prefix(line.size());
        if (witness::VerifyCosignature(parts->body, line, endpoint.cosigner).ok()) {
          return std::string(line.ends_with('\n') ? line : std::string(line) + "\n");
        }
      }
      return Status::Internal("the cosignature vanished");
    }
    if (answer.status == 409 && answer.content_type.starts_with("text/x.tlog.size")) {
      uint64_t held = 0;
      std::string_view text = answer.body;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), held);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Status::Unavailable("409 without a size");
      }
      if (endpoint.cosigned_size == held) {  // the same size with another root: a fork
        return Status::DataLoss("it holds another tree of " + std::to_string(held) +
                                " entries for this ledger: the ledger was rolled back or forked");
      }
      endpoint.cosigned_size = held;
      continue;
    }
    const uint64_t had = endpoint.cosigned_size.value_or(0);
    endpoint.cosigned_size.reset();
    if (answer.status == 422) {
      return Status::DataLoss("it refuses the consistency proof from the " + std::to_string(had) +
                              " entries it cosigned: this ledger does not extend them (rolled "
                              "back or forked)");
    }
    std::string why = answer.body.substr(0, 200);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Status::Unavailable("HTTP " + std::to_string(answer.status) + ": " + why);
  }
  return Status::Unavailable("its size kept changing");
}

}  // namespace vigil::server
