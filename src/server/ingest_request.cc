#include "server/ingest_request.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

namespace vigil::server {

using nlohmann::json;

namespace {

// Collects the outcomes of a batch and replies when the last one arrives.
struct Batch {
  std::vector<ingest::IngestOutcome> outcomes;
  std::atomic<size_t> remaining;
  std::function<void(HttpReply)> done;
  bool single;

  void Finish() {
    json results = json::array();
    size_t stored = 0;
    const ingest::IngestOutcome* first_refusal = nullptr;
    for (const auto& o : outcomes) {
      if (o.refusal.refused()) {
        if (!first_refusal) first_refusal = &o;
        results.push_back({{"status", "refused"},
                           {"reason", ingest::RefusalName(o.refusal.reason)},
                           {"detail", o.refusal.message}});
      } else {
        ++stored;
        results.push_back({{"status", "stored"}, {"observations", o.observations}});
      }
    }
    if (!first_refusal) {
      done({200, "application/json",
            json{{"stored", stored}, {"refused", 0}, {"results", results}}.dump()});
      return;
    }
    const auto reason = first_refusal->refusal.reason;
    HttpReply reply =
        Problem(ingest::RefusalHttpStatus(reason), ingest::RefusalName(reason),
                single ? "The reading was refused" : "Some readings of the batch were refused",
                first_refusal->refusal.message);
    if (!single) {
      json body = json::parse(reply.body);
      body["stored"] = stored;
      body["refused"] = outcomes.size() - stored;
      body["results"] = results;
      reply.body = body.dump();
    }
    done(std::move(reply));
  }
};

std::vector<std::string_view> SplitLines(std::string_view body) {
  std::vector<std::string_view> lines;
  while (!body.empty()) {
    const auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  return lines;
}

std::string_view MediaType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return media;
}

}  // namespace

void SubmitIngestRequest(ingest::ReadingPipeline& pipeline, const ingest::DeviceIdentity& device,
                         std::string_view content_type, std::string body, size_t max_messages,
                         std::function<void(HttpReply)> done) {
  const std::string_view media = MediaType(content_type);
  // The pipeline reads each message during Submit only, so views into `body` are enough.
  std::vector<std::string_view> messages;
  if (media == "application/x-ndjson") {
    messages = SplitLines(body);
  } else if (media == "application/json" || media == "application/senml+json") {
    messages.push_back(body);
  } else {
    return done(Problem(415, "unsupported_media_type", "Unsupported media type",
                        "send application/json, application/senml+json or application/x-ndjson"));
  }
  if (messages.empty()) {
    return done(Problem(422, "malformed_payload", "Empty batch", "the body has no message"));
  }
  if (messages.size() > max_messages) {
    return done(Problem(413, "too_large", "Batch too large",
                        "at most " + std::to_string(max_messages) + " messages per request"));
  }
  auto batch = std::make_shared<Batch>();
  batch->outcomes.resize(messages.size());
  batch->remaining = messages.size();
  batch->done = std::move(done);
  batch->single = media != "application/x-ndjson";
  // Submitted in order, so sequence numbers within a batch are checked in the order sent.
  for (size_t i = 0; i < messages.size(); ++i) {
    pipeline.Submit(device, messages[i], ingest::Delivery::kFirst,
                    [batch, i](const ingest::IngestOutcome& outcome) {
                      batch->outcomes[i] = outcome;
                      if (batch->remaining.fetch_sub(1) == 1) batch->Finish();
                    });
  }
}

}  // namespace vigil::server
