// The console: Vigil in the browser for security officers, clinicians, patients and
// administrators, at / and /console/ on the HTTPS port. Server-rendered HTML, no script; the
// same users, sessions (in a Secure, HttpOnly, SameSite=Strict cookie), policy and audit as the
// API: every page that shows health data is authorized through api::RouteContext and recorded
// before anything is read, exactly as the FHIR API does. Every form carries the session's CSRF
// token and a form without it changes nothing.
//
// Handle() blocks like ApiService::Handle (run it on the API's worker pool). Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "api/api_request.h"
#include "api/http_reply.h"
#include "api/route_context.h"
#include "console/console_http.h"
#include "console/layout.h"
#include "core/hub_layout.h"
#include "ingest/ingest_history.h"

namespace vigil::console {

// What the console shows of the running hub that the store does not hold.
struct HubView {
  std::function<size_t()> connected_devices;  // devices with a live MQTT connection
  const HubLayout* layout = nullptr;          // the hub's files: its device CA, for enrolment
  std::function<std::vector<ingest::IngestSample>()> ingest_history;  // this hub's last hour
};

class ConsoleService {
 public:
  ConsoleService(api::RouteContext& context, HubView hub, int64_t idle_logout_s)
      : context_(context), hub_(std::move(hub)), idle_logout_s_(idle_logout_s) {}

  // Whether the console answers `path`: "/" and everything under "/console".
  static bool Serves(std::string_view path);

  api::HttpReply Handle(const api::ApiRequest& request);

 private:
  api::HttpReply SignedIn(const api::ApiRequest& request, const Form& form,
                          const api::Session& session, const Viewer& viewer);

  api::RouteContext& context_;
  HubView hub_;
  const int64_t idle_logout_s_;
};

}  // namespace vigil::console
