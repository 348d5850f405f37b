#include "ingest/ingest_metrics.h"

#include <sstream>

namespace vigil::ingest {

std::string_view ConnectionRefusalName(ConnectionRefusal reason) {
  switch (reason) {
    case ConnectionRefusal::kTlsHandshake:
      return "tls_handshake";
    case ConnectionRefusal::kUnknownDevice:
      return "unknown_device";
    case ConnectionRefusal::kRevoked:
      return "revoked";
    case ConnectionRefusal::kQuarantined:
      return "quarantined";
    case ConnectionRefusal::kAddressBlocked:
      return "address_blocked";
    case ConnectionRefusal::kCertificateMismatch:
      return "certificate_mismatch";
    case ConnectionRefusal::kClientIdMismatch:
      return "client_id_mismatch";
    case ConnectionRefusal::kProtocol:
      return "protocol_error";
    case ConnectionRefusal::kPacketTooLarge:
      return "packet_too_large";
    case ConnectionRefusal::kKeepAliveTimeout:
      return "keep_alive_timeout";
    case ConnectionRefusal::kWriteTimeout:
      return "write_timeout";
    case ConnectionRefusal::kTooManyConnections:
      return "too_many_connections";
    case ConnectionRefusal::kStoreUnavailable:
      return "store_unavailable";
    case ConnectionRefusal::kCount:
      break;
  }
  return "unknown";
}

namespace {

void Counter(std::ostringstream& out, const char* name, const char* help, uint64_t value) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << " " << value << "\n";
}

}  // namespace

std::string IngestMetrics::RenderPrometheus() const {
  std::ostringstream out;
  Counter(out, "vigil_connections_accepted_total", "Device connections authenticated.",
          connections_accepted.load());
  out << "# HELP vigil_connections_open Device connections open now.\n"
      << "# TYPE vigil_connections_open gauge\nvigil_connections_open " << connections_open.load()
      << "\n";
  out << "# HELP vigil_connections_refused_total Device connections refused or dropped, by "
         "reason.\n"
      << "# TYPE vigil_connections_refused_total counter\n";
  for (size_t i = 0; i < connections_refused.size(); ++i) {
    out << "vigil_connections_refused_total{reason=\""
        << ConnectionRefusalName(static_cast<ConnectionRefusal>(i)) << "\"} "
        << connections_refused[i].load() << "\n";
  }
  Counter(out, "vigil_messages_accepted_total", "Device messages durably stored.",
          messages_accepted.load());
  Counter(out, "vigil_observations_stored_total", "FHIR Observations sealed and stored.",
          observations_stored.load());
  Counter(out, "vigil_duplicates_acknowledged_total",
          "Retransmissions of stored messages acknowledged without storing again.",
          duplicates_acknowledged.load());
  out << "# HELP vigil_messages_refused_total Device messages refused, by reason.\n"
      << "# TYPE vigil_messages_refused_total counter\n";
  for (size_t i = 1; i < messages_refused.size(); ++i) {
    out << "vigil_messages_refused_total{reason=\"" << RefusalName(static_cast<Refusal>(i))
        << "\"} " << messages_refused[i].load() << "\n";
  }
  Counter(out, "vigil_commits_total", "Group-commit transactions.", commits.load());
  out << commit_latency.Render("vigil_commit_latency_seconds",
                               "Time to make a group of readings durable (fsync included).");
  return out.str();
}

}  // namespace vigil::ingest
