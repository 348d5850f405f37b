// POST /ingest bodies: one message (application/json: Vigil JSON; application/senml+json: a
// SenML pack) or a batch (application/x-ndjson: one message of either format per line),
// submitted in order to the reading pipeline. The reply comes once every message is durable or
// refused: 200 with per-message results, or an RFC 9457 problem+json.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/http_reply.h"
#include "ingest/pipeline.h"

namespace vigil::server {

using api::HttpReply;
using api::Problem;

// What the request's messages were, for the detection engine: `observe(size, outcome)` is called
// for each message once its outcome is known, from any thread.

// Submits the body's messages; `done` is called exactly once, from any thread.
void SubmitIngestRequest(ingest::ReadingPipeline& pipeline, const ingest::DeviceIdentity& device,
                         std::string_view content_type, std::string body, size_t max_messages,
                         std::function<void(HttpReply)> done);

}  // namespace vigil::server
