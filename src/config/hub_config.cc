#include "config/hub_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "ledger/ledger_key.h"
#include "model/device_types.h"
#include "store/store.h"
#include "witness/cosignature.h"

namespace vigil {
namespace {

template <typename T>
Status ReadInteger(const toml::table& table, const char* key, int64_t min, int64_t max, T& out,
                   const std::string& section) {
  const auto* node = table.get(key);
  if (!node) return Status::Ok();
  const auto value = node->value<int64_t>();
  if (!value || *value < min || *value > max) {
    return Status::InvalidArgument("config [" + section + "] " + key + " must be an integer in " +
                                   std::to_string(min) + ".." + std::to_string(max));
  }
  out = static_cast<T>(*value);
  return Status::Ok();
}

Status ReadBool(const toml::table& table, const char* key, bool& out, const std::string& section) {
  const auto* node = table.get(key);
  if (!node) return Status::Ok();
  const auto value = node->value<bool>();
  if (!value) {
    return Status::InvalidArgument("config [" + section + "] " + key + " must be true or false");
  }
  out = *value;
  return Status::Ok();
}

Status RefuseUnknownKeys(const toml::table& table, const std::set<std::string>& known,
                         const std::string& section) {
  for (const auto& [key, node] : table) {
    if (!known.count(std::string(key.str()))) {
      return Status::InvalidArgument("config: unknown setting '" + std::string(key.str()) +
                                     "' in " +
                                     (section.empty() ? "top level" : "[" + section + "]"));
    }
  }
  return Status::Ok();
}

Status ReadServer(const toml::table& t, ServeOptions& s) {
  VIGIL_RETURN_IF_ERROR(
      RefuseUnknownKeys(t,
                        {"bind", "mqtt_port", "https_port", "tls_min_version", "io_threads",
                         "group_commit_max_batch", "min_free_mb", "public_url"},
                        "server"));
  if (const auto bind = t["bind"].value<std::string>()) s.bind = *bind;
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "mqtt_port", 0, 65535, s.mqtt_port, "server"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "https_port", 0, 65535, s.https_port, "server"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "io_threads", 1, 64, s.io_threads, "server"));
  VIGIL_RETURN_IF_ERROR(
      ReadInteger(t, "group_commit_max_batch", 1, 1 << 20, s.group_commit_max_batch, "server"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "min_free_mb", 0, 1 << 20, s.min_free_mb, "server"));
  if (const auto url = t["public_url"].value<std::string>()) {
    const std::string_view scheme = "https://";
    const bool plain = url->compare(0, scheme.size(), scheme) == 0 && url->size() > scheme.size() &&
                       url->find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]",
                           scheme.size()) == std::string::npos;
    if (!plain && !url->empty()) {
      return Status::InvalidArgument(
          "config [server] public_url must be https://host or https://host:port (no path)");
    }
    s.public_url = *url;
  }
  if (const auto v = t["tls_min_version"].value<std::string>()) {
    if (*v == "1.3") {
      s.tls_min_version = TlsMinVersion::kTls13;
    } else if (*v == "1.2") {
      s.tls_min_version = TlsMinVersion::kTls12;
    } else {
      return Status::InvalidArgument("config [server] tls_min_version must be \"1.3\" or \"1.2\"");
    }
  }
  return Status::Ok();
}

Status ReadIngest(const toml::table& t, IngestLimits& l) {
  VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(
      t,
      {"max_clock_skew_seconds", "max_payload_bytes", "max_packet_bytes", "max_measurements",
       "max_inflight", "max_keep_alive_seconds", "max_connections", "write_timeout_seconds",
       "allow_own_topic_subscriptions"},
      "ingest"));
  VIGIL_RETURN_IF_ERROR(
      ReadInteger(t, "max_clock_skew_seconds", 1, 86400 * 365, l.max_clock_skew_seconds, "ingest"));
  VIGIL_RETURN_IF_ERROR(
      ReadInteger(t, "max_payload_bytes", 64, 16 << 20, l.max_payload_bytes, "ingest"));
  VIGIL_RETURN_IF_ERROR(
      ReadInteger(t, "max_packet_bytes", 128, 32 << 20, l.max_packet_bytes, "ingest"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "max_measurements", 1, 10000, l.max_measurements, "ingest"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "max_inflight", 1, 65535, l.max_inflight, "ingest"));
  VIGIL_RETURN_IF_ERROR(
      ReadInteger(t, "max_keep_alive_seconds", 1, 65535, l.max_keep_alive_seconds, "ingest"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "max_connections", 1, 1000000, l.max_connections, "ingest"));
  VIGIL_RETURN_IF_ERROR(
      ReadInteger(t, "write_timeout_seconds", 1, 3600, l.write_timeout_seconds, "ingest"));
  VIGIL_RETURN_IF_ERROR(
      ReadBool(t, "allow_own_topic_subscriptions", l.allow_own_topic_subscriptions, "ingest"));
  if (l.max_payload_bytes + 64 > l.max_packet_bytes) {
    return Status::InvalidArgument(
        "config [ingest] max_packet_bytes must exceed max_payload_bytes");
  }
  return Status::Ok();
}

Status ReadAccess(const toml::table& t, AccessOptions& a) {
  VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(
      t, {"session_idle_seconds", "session_absolute_seconds", "api_threads"}, "access"));
  VIGIL_RETURN_IF_ERROR(
      ReadInteger(t, "session_idle_seconds", 1, 86400, a.session_idle_seconds, "access"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "session_absolute_seconds", 1, 7 * 86400,
                                    a.session_absolute_seconds, "access"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "api_threads", 1, 256, a.api_threads, "access"));
  return Status::Ok();
}

Status ReadDetect(const toml::table& t, DetectOptions& d) {
  // bulk_reads (a count of requests, which paging clients inflated) gave way to bulk_rows: a
  // config that still names it is taken, the value unused (docs/detection.md).
  std::vector<std::string> keys = {"enabled", "window_seconds", "bulk_reads"};
  for (const auto& [key, field] : d.Thresholds()) keys.emplace_back(key);
  VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(t, {keys.begin(), keys.end()}, "detect"));
  VIGIL_RETURN_IF_ERROR(ReadBool(t, "enabled", d.enabled, "detect"));
  VIGIL_RETURN_IF_ERROR(ReadInteger(t, "window_seconds", 1, 86400, d.window_seconds, "detect"));
  for (auto [key, field] : d.Thresholds()) {
    VIGIL_RETURN_IF_ERROR(ReadInteger(t, key, 1, 1000000, *field, "detect"));
  }
  return Status::Ok();
}

// Kinds and actions are checked against their names where they are understood
// (respond::PlaybooksOf, when the hub opens); here each must be a string.
Status ReadRespond(const toml::table& t, RespondOptions& r) {
  for (const auto& [key, node] : t) {
    const std::string name(key.str());
    if (name == "block_minutes") continue;
    if (name == "vitals_only_device_types") {
      const auto* list = node.as_array();
      const Status bad = Status::InvalidArgument(
          "config [respond] vitals_only_device_types must be a list of device types (" +
          model::DeviceTypeList() + ")");
      if (!list) return bad;
      for (const auto& item : *list) {
        const auto type = item.value<std::string>();
        if (!type || !model::DeviceTypes().count(*type)) {
          return bad;
        }
        r.vitals_only_device_types.insert(*type);
      }
      continue;
    }
    const auto action = node.value<std::string>();
    if (!action) {
      return Status::InvalidArgument("config [respond] " + name +
                                     " must be quarantine-device, block-address, "
                                     "revoke-sessions or none");
    }
    r.actions[name] = *action;
  }
  return ReadInteger(t, "block_minutes", 1, 7 * 24 * 60, r.block_minutes, "respond");
}

Status ReadSiem(const toml::table& t, SiemOptions& o) {
  VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(t, {"jsonl_path", "syslog", "audit"}, "siem"));
  VIGIL_RETURN_IF_ERROR(ReadBool(t, "audit", o.audit, "siem"));
  if (const auto* node = t.get("jsonl_path")) {
    const auto value = node->value<std::string>();
    if (!value) return Status::InvalidArgument("config [siem] jsonl_path must be a string");
    o.jsonl_path = *value;
  }
  const auto* node = t.get("syslog");
  if (!node) return Status::Ok();
  const auto value = node->value<std::string>();
  if (!value) return Status::InvalidArgument("config [siem] syslog must be a string");
  o.syslog = *value;
  if (o.syslog.empty()) return Status::Ok();
  const Status bad = Status::InvalidArgument(
      "config [siem] syslog must be udp://host:port or "
      "tcp://host:port, not '" +
      o.syslog + "'");
  const size_t scheme = o.syslog.find("://");
  const size_t colon = o.syslog.rfind(':');
  if (scheme == std::string::npos || colon <= scheme + 3) return bad;
  o.syslog_protocol = o.syslog.substr(0, scheme);
  o.syslog_host = o.syslog.substr(scheme + 3, colon - scheme - 3);
  const std::string port = o.syslog.substr(colon + 1);
  if (o.syslog_protocol != "udp" && o.syslog_protocol != "tcp") return bad;
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) {
    return bad;
  }
  o.syslog_port = std::stoi(port);
  if (o.syslog_port < 1 || o.syslog_port > 65535) return bad;
  return Status::Ok();
}

// [[ledger.witness]] tables: url (http:// or https://), key (a cosigner verifier key), cafile.
Status ReadWitnesses(const toml::table& ledger, std::vector<WitnessOptions>& out) {
  const auto* node = ledger.get("witness");
  if (!node) return Status::Ok();
  const auto* list = node->as_array();
  if (!list) return Status::InvalidArgument("config [[ledger.witness]] must be tables");
  for (const auto& item : *list) {
    const auto* table = item.as_table();
    if (!table) return Status::InvalidArgument("config [[ledger.witness]] must be tables");
    VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(*table, {"url", "key", "cafile"}, "ledger.witness"));
    WitnessOptions w;
    w.url = (*table)["url"].value_or(std::string());
    w.key = (*table)["key"].value_or(std::string());
    w.cafile = (*table)["cafile"].value_or(std::string());
    if (!w.url.starts_with("http://") && !w.url.starts_with("https://")) {
      return Status::InvalidArgument(
          "config [[ledger.witness]] url must be http(s)://host[:port][/prefix]");
    }
    if (auto key = witness::ParseCosignerVerifierKey(w.key); !key.ok()) {
      return Status::InvalidArgument("config [[ledger.witness]] key: " + key.status().message());
    }
    out.push_back(std::move(w));
  }
  return Status::Ok();
}

}  // namespace

Result<HubConfig> LoadHubConfig(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config " << path << ": " << e.description() << " at line " << e.source().begin.line;
    return Status::InvalidArgument(msg.str());
  }
  HubConfig config;
  VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(
      root, {"hub", "store", "server", "ingest", "access", "detect", "respond", "siem", "ledger"},
      ""));
  if (const auto* hub = root["hub"].as_table()) {
    VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(*hub, {"name"}, "hub"));
    if (const auto name = (*hub)["name"].value<std::string>()) config.hub_name = *name;
  }
  if (const auto* store = root["store"].as_table()) {
    VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(*store, {"url"}, "store"));
    if (const auto url = (*store)["url"].value<std::string>()) config.store_url = *url;
    if (!config.store_url.empty() && !store::IsPostgresUrl(config.store_url)) {
      return Status::InvalidArgument(
          "config [store] url must be \"\" (the embedded store) or postgresql://...");
    }
  }
  if (const auto* server = root["server"].as_table()) {
    VIGIL_RETURN_IF_ERROR(ReadServer(*server, config.serve));
  }
  if (const auto* ingest = root["ingest"].as_table()) {
    VIGIL_RETURN_IF_ERROR(ReadIngest(*ingest, config.ingest));
  }
  if (const auto* access = root["access"].as_table()) {
    VIGIL_RETURN_IF_ERROR(ReadAccess(*access, config.access));
  }
  if (const auto* detect = root["detect"].as_table()) {
    VIGIL_RETURN_IF_ERROR(ReadDetect(*detect, config.detect));
  }
  if (const auto* respond = root["respond"].as_table()) {
    VIGIL_RETURN_IF_ERROR(ReadRespond(*respond, config.respond));
  }
  if (const auto* siem = root["siem"].as_table()) {
    VIGIL_RETURN_IF_ERROR(ReadSiem(*siem, config.siem));
  }
  if (const auto* ledger = root["ledger"].as_table()) {
    VIGIL_RETURN_IF_ERROR(RefuseUnknownKeys(*ledger, {"checkpoint_log", "witness"}, "ledger"));
    if (const auto path = (*ledger)["checkpoint_log"].value<std::string>()) {
      if (!path->empty() && path->front() != '/') {
        return Status::InvalidArgument("config [ledger] checkpoint_log must be an absolute path");
      }
      config.ledger.checkpoint_log = *path;
    }
    VIGIL_RETURN_IF_ERROR(ReadWitnesses(*ledger, config.ledger.witnesses));
  }
  return config;
}

std::string PublicBaseUrl(const std::string& public_url, uint16_t https_port) {
  std::string url = public_url.empty() ? "https://localhost" : public_url;
  const std::string authority = url.substr(url.find("://") + 3);
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  const bool has_port =
      colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  if (!has_port) url += ":" + std::to_string(https_port);
  return url;
}

std::string StoreLocationOf(const HubConfig& config, const HubLayout& layout) {
  return config.store_url.empty() ? layout.database() : config.store_url;
}

std::string LedgerOriginOf(const HubConfig& config) {
  const std::string& url = config.serve.public_url;
  return ledger::LedgerOrigin(url.empty() ? "localhost" : url.substr(url.find("://") + 3),
                              config.hub_name);
}

std::string RenderHubConfig(const HubConfig& c) {
  std::ostringstream out;
  const auto& s = c.serve;
  const auto& l = c.ingest;
  out << "# Vigil hub configuration. Command-line flags of `vigil serve` override [server].\n"
      << "[hub]\nname = \"" << c.hub_name << "\"\n\n"
      << "[store]\n"
      << "url = \"" << c.store_url
      << "\"  # \"\": the embedded SQLite store (vigil.db); postgresql://user@host:port/db:\n"
      << "          # PostgreSQL, which several hubs can share (docs/cluster.md)\n\n"
      << "[server]\n"
      << "bind = \"" << s.bind << "\"\n"
      << "mqtt_port = " << s.mqtt_port << "        # MQTT over TLS, client certificate required\n"
      << "https_port = " << s.https_port << "       # POST /ingest, /auth, /fhir, GET /metrics\n"
      << "tls_min_version = \"" << (s.tls_min_version == TlsMinVersion::kTls13 ? "1.3" : "1.2")
      << "\"  # \"1.2\" only for devices that cannot do 1.3\n"
      << "io_threads = " << s.io_threads << "\n"
      << "group_commit_max_batch = " << s.group_commit_max_batch << "\n"
      << "public_url = \"" << s.public_url
      << "\"  # where clients reach the API: FHIR links are built on it (port: https_port)\n"
      << "min_free_mb = " << s.min_free_mb
      << "  # below this much free disk, readings are refused until twice that is free\n\n"
      << "[ingest]\n"
      << "max_clock_skew_seconds = " << l.max_clock_skew_seconds << "\n"
      << "max_payload_bytes = " << l.max_payload_bytes << "\n"
      << "max_packet_bytes = " << l.max_packet_bytes << "\n"
      << "max_measurements = " << l.max_measurements << "\n"
      << "max_inflight = " << l.max_inflight << "\n"
      << "max_keep_alive_seconds = " << l.max_keep_alive_seconds << "\n"
      << "max_connections = " << l.max_connections << "\n"
      << "write_timeout_seconds = " << l.write_timeout_seconds
      << "  # a device that takes no acknowledgement this long is dropped\n"
      << "allow_own_topic_subscriptions = " << (l.allow_own_topic_subscriptions ? "true" : "false")
      << "  # devices/<own id>/# granted quietly; any other subscription alerts\n\n"
      << "[access]\n"
      << "session_idle_seconds = " << c.access.session_idle_seconds << "\n"
      << "session_absolute_seconds = " << c.access.session_absolute_seconds << "\n"
      << "api_threads = " << c.access.api_threads << "\n\n"
      << "[detect]  # alert thresholds within window_seconds (docs/detection.md)\n"
      << "enabled = " << (c.detect.enabled ? "true" : "false") << "\n"
      << "window_seconds = " << c.detect.window_seconds << "\n";
  DetectOptions detect = c.detect;
  for (const auto& [key, field] : detect.Thresholds()) out << key << " = " << *field << "\n";
  out << "\n"
      << "[respond]  # containment playbooks: alert kind = quarantine-device | block-address |\n"
      << "           # revoke-sessions | none (defaults in docs/detection.md)\n"
      << "block_minutes = " << c.respond.block_minutes << "\n"
      << "# device types whose quarantine keeps taking vital signs (refusing all else), so that a\n"
      << "# security response does not stop a patient's monitoring, e.g. [\"bedside-monitor\"]\n"
      << "vitals_only_device_types = [";
  for (const auto& type : c.respond.vitals_only_device_types) {
    out << (&type == &*c.respond.vitals_only_device_types.begin() ? "" : ", ") << '"' << type
        << '"';
  }
  out << "]\n\n"
      << "[siem]  # alerts and audit events to a SIEM (docs/detection.md)\n"
      << "jsonl_path = \"" << c.siem.jsonl_path << "\"  # JSON lines; relative to the data dir\n"
      << "syslog = \"" << c.siem.syslog << "\"  # RFC 5424: udp://host:port or tcp://host:port\n"
      << "audit = " << (c.siem.audit ? "true" : "false")
      << "  # every audit ledger entry too, not only alerts\n\n"
      << "[ledger]\n"
      << "checkpoint_log = \"" << c.ledger.checkpoint_log
      << "\"  # also append each signed checkpoint here (absolute; off this disk)\n"
      << "# Witnesses cosigning each checkpoint (C2SP tlog-witness), one table each:\n"
      << "# [[ledger.witness]]\n"
      << "# url = \"https://witness.example.org\"\n"
      << "# key = \"witness.example.org/w1+<hex id>+<base64 key>\"\n";
  for (const auto& w : c.ledger.witnesses) {
    out << "\n[[ledger.witness]]\nurl = \"" << w.url << "\"\nkey = \"" << w.key << "\"\n";
    if (!w.cafile.empty()) out << "cafile = \"" << w.cafile << "\"\n";
  }
  return out.str();
}

}  // namespace vigil
