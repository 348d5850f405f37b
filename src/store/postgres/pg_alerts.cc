// Alerts, incidents and incidents' timelines in PostgreSQL.
#include <string>

#include "store/postgres/pg_parts.h"

namespace vigil::store::pg {
namespace {

const std::string kAlertColumns =
    "SELECT id, kind, severity, entity, technique, summary, evidence, first_ms, last_ms, count,"
    " status, note, incident_id FROM alerts";
const std::string kIncidentColumns =
    "SELECT id, title, severity, status, first_ms, last_ms, entities, note FROM incidents";

AlertRecord ReadAlert(const Rows& r, int i) {
  return {r.Int(i, 0),   r.Text(i, 1),  r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
          r.Text(i, 5),  r.Text(i, 6),  r.Int(i, 7),  r.Int(i, 8),  r.Int(i, 9),
          r.Text(i, 10), r.Text(i, 11), r.Int(i, 12)};
}

IncidentRecord ReadIncident(const Rows& r, int i) {
  return {r.Int(i, 0),
          r.Text(i, 1),
          r.Text(i, 2),
          r.Text(i, 3),
          r.Int(i, 4),
          r.Int(i, 5),
          SplitEntities(r.View(i, 6)),
          r.Text(i, 7)};
}

int64_t ReadId(const Rows& r, int i) { return r.Int(i, 0); }

class PgAlertStore final : public AlertStore {
 public:
  explicit PgAlertStore(Pool& pool) : pool_(pool) {}

  Result<int64_t> InsertAlert(const AlertRecord& a) override {
    return InsertedId(FindRow(pool_,
                              "INSERT INTO alerts (kind, severity, entity, technique, summary,"
                              " evidence, first_ms, last_ms, count, status) VALUES ($1, $2, $3, $4,"
                              " $5, $6, $7, $8, $9, 'open') RETURNING id",
                              Params()
                                  .Text(a.kind)
                                  .Text(a.severity)
                                  .Text(a.entity)
                                  .Text(a.technique)
                                  .Text(a.summary)
                                  .Text(a.evidence_json)
                                  .Int(a.first_ms)
                                  .Int(a.last_ms)
                                  .Int(a.count),
                              ReadId));
  }

  Status UpdateAlert(const AlertRecord& a) override {
    return ChangePooled(pool_,
                        "UPDATE alerts SET last_ms = $1, count = $2, evidence = $3, summary = $4,"
                        " severity = $5 WHERE id = $6",
                        Params()
                            .Int(a.last_ms)
                            .Int(a.count)
                            .Text(a.evidence_json)
                            .Text(a.summary)
                            .Text(a.severity)
                            .Int(a.id),
                        "no alert " + std::to_string(a.id));
  }

  Result<std::optional<AlertRecord>> FindAlert(int64_t id) override {
    return FindRow(pool_, kAlertColumns + " WHERE id = $1", Params().Int(id), ReadAlert);
  }

  Result<std::vector<AlertRecord>> ListAlerts(const std::string& status, uint64_t limit) override {
    return ReadRows(pool_,
                    kAlertColumns + " WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2",
                    Params().Text(status).Int(static_cast<int64_t>(limit)), ReadAlert);
  }

  Status SetAlertStatus(int64_t id, const std::string& status, const std::string& note) override {
    return ChangePooled(pool_, "UPDATE alerts SET status = $1, note = $2 WHERE id = $3",
                        Params().Text(status).Text(note).Int(id), "no alert " + std::to_string(id));
  }

  Result<int64_t> InsertIncident(const IncidentRecord& i) override {
    return InsertedId(FindRow(pool_,
                              "INSERT INTO incidents (title, severity, status, first_ms, last_ms,"
                              " entities) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                              Params()
                                  .Text(i.title)
                                  .Text(i.severity)
                                  .Text(i.status)
                                  .Int(i.first_ms)
                                  .Int(i.last_ms)
                                  .Text(JoinEntities(i.entities)),
                              ReadId));
  }

  Status UpdateIncident(const IncidentRecord& i) override {
    return ChangePooled(pool_,
                        "UPDATE incidents SET severity = $1, last_ms = $2, entities = $3,"
                        " status = $4, note = $5, title = $7 WHERE id = $6",
                        Params()
                            .Text(i.severity)
                            .Int(i.last_ms)
                            .Text(JoinEntities(i.entities))
                            .Text(i.status)
                            .Text(i.note)
                            .Int(i.id)
                            .Text(i.title),
                        "no incident " + std::to_string(i.id));
  }

  Result<std::optional<IncidentRecord>> FindIncident(int64_t id) override {
    return FindRow(pool_, kIncidentColumns + " WHERE id = $1", Params().Int(id), ReadIncident);
  }

  Result<std::vector<IncidentRecord>> ListIncidents(const std::string& status,
                                                    uint64_t limit) override {
    return ReadRows(pool_,
                    kIncidentColumns + " WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2",
                    Params().Text(status).Int(static_cast<int64_t>(limit)), ReadIncident);
  }

  Status SetAlertIncident(int64_t alert_id, int64_t incident_id) override {
    return ChangePooled(pool_, "UPDATE alerts SET incident_id = $1 WHERE id = $2",
                        Params().Int(incident_id).Int(alert_id),
                        "no alert " + std::to_string(alert_id));
  }

  Result<std::vector<AlertRecord>> AlertsOfIncident(int64_t incident_id) override {
    return ReadRows(pool_, kAlertColumns + " WHERE incident_id = $1 ORDER BY id",
                    Params().Int(incident_id), ReadAlert);
  }

  Status AddIncidentEvent(const IncidentEvent& e) override {
    return RunPooled(
        pool_,
        "INSERT INTO incident_events (incident_id, time_ms, what, detail, alert_id)"
        " VALUES ($1, $2, $3, $4, $5)",
        Params().Int(e.incident_id).Int(e.time_ms).Text(e.what).Text(e.detail).Int(e.alert_id));
  }

  Result<std::vector<IncidentEvent>> IncidentEvents(int64_t incident_id) override {
    return ReadRows(
        pool_,
        "SELECT incident_id, time_ms, what, detail, alert_id FROM incident_events"
        " WHERE incident_id = $1 ORDER BY time_ms, row_no",
        Params().Int(incident_id), [](const Rows& r, int i) {
          return IncidentEvent{r.Int(i, 0), r.Int(i, 1), r.Text(i, 2), r.Text(i, 3), r.Int(i, 4)};
        });
  }

  Status PutAddressBlock(const AddressBlockRecord& b) override {
    VIGIL_RETURN_IF_ERROR(RunPooled(pool_, "DELETE FROM address_blocks WHERE until_ms <= $1",
                                    Params().Int(b.since_ms)));
    return RunPooled(pool_,
                     "INSERT INTO address_blocks (address, since_ms, until_ms, reason)"
                     " VALUES ($1, $2, $3, $4) ON CONFLICT (address) DO UPDATE SET"
                     " until_ms = GREATEST(address_blocks.until_ms, excluded.until_ms)",
                     Params().Text(b.address).Int(b.since_ms).Int(b.until_ms).Text(b.reason));
  }

  Result<std::vector<AddressBlockRecord>> ListAddressBlocks(int64_t now_ms) override {
    return ReadRows(
        pool_,
        "SELECT address, since_ms, until_ms, reason FROM address_blocks"
        " WHERE until_ms > $1 ORDER BY address",
        Params().Int(now_ms), [](const Rows& r, int i) {
          return AddressBlockRecord{r.Text(i, 0), r.Int(i, 1), r.Int(i, 2), r.Text(i, 3)};
        });
  }

  Status LiftAddressBlock(const std::string& address, int64_t now_ms) override {
    return ChangePooled(pool_, "DELETE FROM address_blocks WHERE address = $1 AND until_ms > $2",
                        Params().Text(address).Int(now_ms), "no block on address " + address);
  }

  Result<int64_t> InsertMonitoringNotice(const MonitoringNotice& n) override {
    return InsertedId(FindRow(
        pool_,
        "INSERT INTO monitoring_notices (patient_id, device_id, text,"
        " since_ms) VALUES ($1, $2, $3, $4) RETURNING id",
        Params().Text(n.patient_id).Text(n.device_id).Text(n.text).Int(n.since_ms), ReadId));
  }

  Result<int64_t> EndMonitoringNotices(const std::string& device_id, int64_t until_ms) override {
    VIGIL_ASSIGN_OR_RETURN(auto conn, pool_.Acquire());
    VIGIL_ASSIGN_OR_RETURN(Rows ended, conn->Query("UPDATE monitoring_notices SET until_ms = $1"
                                                   " WHERE device_id = $2 AND until_ms = 0",
                                                   Params().Int(until_ms).Text(device_id)));
    return static_cast<int64_t>(ended.affected());
  }

  Result<std::vector<MonitoringNotice>> MonitoringNotices(const std::string& patient_id) override {
    return ReadRows(pool_,
                    "SELECT id, patient_id, device_id, text, since_ms, until_ms FROM"
                    " monitoring_notices WHERE patient_id = $1 ORDER BY id DESC",
                    Params().Text(patient_id), [](const Rows& r, int i) {
                      return MonitoringNotice{r.Int(i, 0),  r.Text(i, 1), r.Text(i, 2),
                                              r.Text(i, 3), r.Int(i, 4),  r.Int(i, 5)};
                    });
  }

  Status PutDetectionState(const std::string& name, const std::string& state,
                           int64_t saved_ms) override {
    return RunPooled(pool_,
                     "INSERT INTO detection_state (name, state, saved_ms) VALUES ($1, $2, $3)"
                     " ON CONFLICT (name) DO UPDATE SET state = excluded.state,"
                     " saved_ms = excluded.saved_ms",
                     Params().Text(name).Bytes(state).Int(saved_ms));
  }

  Result<std::optional<std::string>> DetectionState(const std::string& name) override {
    return FindRow(pool_, "SELECT state FROM detection_state WHERE name = $1", Params().Text(name),
                   [](const Rows& r, int i) { return r.Text(i, 0); });
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<AlertStore> MakePgAlertStore(Pool& pool) {
  return std::make_unique<PgAlertStore>(pool);
}

}  // namespace vigil::store::pg
