// The HTTPS listener (Boost.Beast): POST /ingest for devices (client certificate required, the
// same rule as MQTT), GET /metrics (Prometheus text; loopback or a client certificate),
// GET /healthz, and the people-facing API (api/api_service.h, no client certificate needed),
// run on its worker pool. Errors are RFC 9457 problem+json (FHIR routes: OperationOutcome).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string>

#include "api/api_service.h"
#include "console/console_service.h"
#include "core/status.h"
#include "ingest/ingest_metrics.h"
#include "ingest/pipeline.h"
#include "respond/address_blocklist.h"
#include "server/connection_audit.h"
#include "server/device_directory.h"
#include "server/tcp_acceptor.h"

namespace vigil::server {

struct HttpsContext {
  ingest::ReadingPipeline& pipeline;
  DeviceDirectory& directory;
  ingest::IngestMetrics& metrics;
  IngestLimits limits;
  std::function<std::string()> render_metrics;  // the /metrics body
  api::ApiService* api = nullptr;               // /auth, /admin, /security, /fhir; none: 404
  console::ConsoleService* console = nullptr;   // / and /console/; none: 404
  boost::asio::thread_pool::executor_type api_executor;  // where API requests run
  ConnectionAudit* audit = nullptr;                      // refused device requests in the ledger
  respond::AddressBlocklist* blocklist =
      nullptr;                           // blocked addresses: refused sign-ins (not devices)
  const Readiness* readiness = nullptr;  // /healthz and /readyz: 503 while not ready; none: ok
  // Where clients reach the hub ("https://host[:port]"): absolute links in FHIR Bundles are
  // built on it, never on a request's Host header (which a client, or an attacker, chooses).
  std::string public_base_url = "https://localhost";
};

class HttpsListener {
 public:
  HttpsListener(boost::asio::io_context& io, boost::asio::ssl::context& tls, HttpsContext& context);
  // Binds and starts accepting. Port 0 picks a free port (see port()).
  Status Listen(const std::string& address, uint16_t port);
  uint16_t port() const { return acceptor_.port(); }
  void StopAccepting();

 private:
  boost::asio::ssl::context& tls_;
  HttpsContext& context_;
  TcpAcceptor acceptor_;
};

}  // namespace vigil::server
