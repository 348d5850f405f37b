#include "store/postgres/pg_readings.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "model/observation.h"
#include "model/reading.h"

namespace vigil::store::pg {
namespace {

const std::string kSelectObservations =
    "SELECT " + std::string(kObservationColumns) + " FROM observations";

// What a commit learns of each of its devices, read once per transaction.
struct DeviceUpdate {
  std::string patient_id;
  int64_t highest_seq = 0;
  int64_t widest_skew_ms = 0;
};

Result<std::unordered_map<std::string_view, DeviceUpdate>> ReadDevices(
    Connection& conn, std::span<const ReadingCommit> commits) {
  std::vector<std::string_view> ids;
  for (const ReadingCommit& c : commits) ids.push_back(c.device_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  VIGIL_ASSIGN_OR_RETURN(
      Rows rows, conn.Query("SELECT id, last_seq, patient_id FROM devices WHERE id = ANY($1)",
                            Params().TextArray(ids)));
  std::unordered_map<std::string_view, DeviceUpdate> devices;
  for (int i = 0; i < rows.size(); ++i) {
    const auto id = std::lower_bound(ids.begin(), ids.end(), rows.View(i, 0));
    if (id != ids.end() && *id == rows.View(i, 0)) {
      devices[*id] = DeviceUpdate{rows.Text(i, 2), rows.Int(i, 1), 0};
    }
  }
  for (const auto id : ids) {
    if (!devices.contains(id)) return Status::FailedPrecondition("no device " + std::string(id));
  }
  return devices;
}

// The filter of `q` as SQL over parameters $1.. (appended to `params` in order).
std::string ObservationFilter(const ObservationQuery& q, Params& params,
                              std::vector<std::string_view>& codes,
                              std::vector<std::string_view>& ids) {
  params.Text(q.patient_id);
  std::string where = " WHERE patient_id = $1";
  auto next = [&] { return "$" + std::to_string(params.size()); };
  if (!q.codes.empty()) {
    for (const auto& c : q.codes) codes.push_back(c);
    params.TextArray(codes);
    where += " AND code = ANY(" + next() + ")";
  }
  if (!q.ids.empty()) {
    for (const auto& id : q.ids) ids.push_back(id);
    params.TextArray(ids);
    where += " AND id = ANY(" + next() + ")";
  }
  if (q.from_ms) {
    params.Int(*q.from_ms);
    where += " AND effective_ms >= " + next();
  }
  if (q.to_ms) {
    params.Int(*q.to_ms);
    where += " AND effective_ms <= " + next();
  }
  if (q.not_between) {
    params.Int(q.not_between->first);
    where += " AND (effective_ms < " + next();
    params.Int(q.not_between->second);
    where += " OR effective_ms > " + next() + ")";
  }
  return where;
}

}  // namespace

SealedObservation ReadObservation(const Rows& rows, int i) {
  return {rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2),
          rows.Text(i, 3), rows.Int(i, 4),  static_cast<uint64_t>(rows.Int(i, 5)),
          rows.Text(i, 6)};
}

Status InsertReadings(Connection& conn, std::span<const ReadingCommit> commits,
                      std::optional<uint64_t> ledger_index) {
  if (commits.empty()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(auto devices, ReadDevices(conn, commits));
  CopyRows receipts, observations;
  std::vector<const ReadingCommit*> suspects;  // rare: a row each
  for (const ReadingCommit& c : commits) {
    if (!model::IsValidSequence(c.seq)) {  // the decoders refuse these; never wrap one
      return Status::InvalidArgument("sequence number of device " + c.device_id +
                                     " is out of range");
    }
    DeviceUpdate& d = devices.at(c.device_id);
    receipts.Row(5).Text(c.device_id).Int(static_cast<int64_t>(c.seq)).Bytes(c.payload_digest);
    receipts.Int(c.received_ms);
    ledger_index ? receipts.Int(static_cast<int64_t>(*ledger_index)) : receipts.Null();
    for (const SealedObservation& o : c.observations) {
      if (o.device_id != c.device_id || o.patient_id != d.patient_id) {
        return Status::InvalidArgument("Observation " + o.id + " is not device " + c.device_id +
                                       "'s for its patient");
      }
      observations.Row(8).Text(o.id).Text(o.patient_id).Text(o.device_id).Text(o.code);
      observations.Int(o.effective_ms).Int(static_cast<int64_t>(o.seq)).Bytes(o.sealed);
      ledger_index ? observations.Int(static_cast<int64_t>(*ledger_index)) : observations.Null();
    }
    if (!c.suspect.empty()) suspects.push_back(&c);
    d.highest_seq = std::max(d.highest_seq, static_cast<int64_t>(c.seq));
    d.widest_skew_ms = std::max(d.widest_skew_ms, WidestSkew(c));
  }
  for (const ReadingCommit* c : suspects) {
    const uint64_t seq[] = {c->seq};
    VIGIL_RETURN_IF_ERROR(
        InsertSuspects(conn, devices.at(c->device_id).patient_id, c->device_id, seq, c->suspect));
  }
  VIGIL_RETURN_IF_ERROR(conn.Copy(
      "reading_receipts (device_id, seq, payload_digest, received_ms, ledger_index)", receipts));
  if (observations.rows() > 0) {
    VIGIL_RETURN_IF_ERROR(conn.Copy(
        "observations (id, patient_id, device_id, code, effective_ms, seq, sealed, ledger_index)",
        observations));
  }
  std::vector<std::string_view> ids;
  std::vector<int64_t> seqs, skews;
  for (const auto& [id, d] : devices) {
    ids.push_back(id);
    seqs.push_back(d.highest_seq);
    skews.push_back(d.widest_skew_ms);
  }
  return conn.Run(
      "UPDATE devices d SET last_seq = GREATEST(d.last_seq, u.seq),"
      " max_skew_ms = GREATEST(d.max_skew_ms, u.skew)"
      " FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(id, seq, skew)"
      " WHERE d.id = u.id",
      Params().TextArray(ids).IntArray(seqs).IntArray(skews));
}

Status InsertSuspects(Connection& conn, const std::string& patient_id, const std::string& device_id,
                      std::span<const uint64_t> seqs, const std::string& reason) {
  std::vector<int64_t> numbers(seqs.begin(), seqs.end());
  return conn.Run(
      "INSERT INTO suspect_readings (device_id, seq, patient_id, reason)"
      " SELECT $1, s, $2, $3 FROM unnest($4::bigint[]) AS s ON CONFLICT DO NOTHING",
      Params().Text(device_id).Text(patient_id).Text(reason).IntArray(numbers));
}

Result<std::vector<SuspectReading>> SuspectReadings(Pool& pool, const std::string& patient_id) {
  return ReadRows(pool,
                  "SELECT device_id, seq, reason FROM suspect_readings WHERE patient_id = $1"
                  " ORDER BY device_id, seq",
                  Params().Text(patient_id), [](const Rows& rows, int i) {
                    return SuspectReading{rows.Text(i, 0), static_cast<uint64_t>(rows.Int(i, 1)),
                                          rows.Text(i, 2)};
                  });
}

Result<std::optional<std::string>> FindReceiptDigest(Pool& pool, const std::string& device_id,
                                                     uint64_t seq) {
  return FindRow(pool,
                 "SELECT payload_digest FROM reading_receipts WHERE device_id = $1 AND seq = $2",
                 Params().Text(device_id).Int(static_cast<int64_t>(seq)),
                 [](const Rows& rows, int i) { return rows.Text(i, 0); });
}

Result<std::vector<SealedObservation>> ListObservations(Pool& pool, const std::string& patient_id) {
  return ReadRows(pool,
                  kSelectObservations +
                      " WHERE patient_id = $1 ORDER BY effective_ms, device_id, seq,"
                      " row_no",
                  Params().Text(patient_id), ReadObservation);
}

Status VisitObservations(Pool& pool, const ObservationQuery& q, const ObservationVisitor& visit) {
  Params params;
  std::vector<std::string_view> codes, ids;
  std::string sql = kSelectObservations + ObservationFilter(q, params, codes, ids);
  if (q.after) {
    params.Int(q.after->first);
    sql += (q.newest_first ? " AND (effective_ms, id) < ($" : " AND (effective_ms, id) > ($") +
           std::to_string(params.size());
    params.Text(q.after->second);
    sql += ", $" + std::to_string(params.size()) + ")";
  }
  sql += q.newest_first ? " ORDER BY effective_ms DESC, id DESC" : " ORDER BY effective_ms, id";
  params.Int(static_cast<int64_t>(q.limit));
  sql += " LIMIT $" + std::to_string(params.size());
  params.Int(static_cast<int64_t>(q.offset));
  sql += " OFFSET $" + std::to_string(params.size());
  return OnPooled(pool, sql, params,
                  [&](const Rows& rows) {
                    SealedObservationView row;
                    for (int i = 0; i < rows.size(); ++i) {
                      row.id = rows.View(i, 0);
                      row.patient_id = rows.View(i, 1);
                      row.device_id = rows.View(i, 2);
                      row.code = rows.View(i, 3);
                      row.effective_ms = rows.Int(i, 4);
                      row.seq = static_cast<uint64_t>(rows.Int(i, 5));
                      row.sealed = rows.View(i, 6);
                      if (!visit(row)) break;
                    }
                    return true;
                  })
      .status();
}

Result<uint64_t> CountObservations(Pool& pool, const ObservationQuery& q) {
  Params params;
  std::vector<std::string_view> codes, ids;
  const std::string sql =
      "SELECT count(*) FROM observations" + ObservationFilter(q, params, codes, ids);
  return OnPooled(pool, sql, params,
                  [](const Rows& rows) { return static_cast<uint64_t>(rows.Int(0, 0)); });
}

// Through its message's receipt: within the device's widest skew around the receipt's time
// (every Observation of the device lies there), a seek into the patient's index; without the
// receipt, the patient's rows are scanned.
Result<std::optional<SealedObservation>> FindObservation(Pool& pool, const std::string& patient_id,
                                                         const std::string& id) {
  std::optional<std::pair<int64_t, int64_t>> window;
  if (const auto message = model::SourceOfObservationId(id)) {
    VIGIL_ASSIGN_OR_RETURN(
        window,
        FindRow(pool,
                "SELECT r.received_ms - d.max_skew_ms, r.received_ms + d.max_skew_ms"
                " FROM reading_receipts r JOIN devices d ON d.id = r.device_id"
                " WHERE r.device_id = $1 AND r.seq = $2",
                Params().Text(message->device_id).Int(static_cast<int64_t>(message->seq)),
                [](const Rows& rows, int i) { return std::pair(rows.Int(i, 0), rows.Int(i, 1)); }));
  }
  if (!window) {
    return FindRow(pool, kSelectObservations + " WHERE patient_id = $1 AND id = $2",
                   Params().Text(patient_id).Text(id), ReadObservation);
  }
  return FindRow(
      pool,
      kSelectObservations + " WHERE patient_id = $1 AND effective_ms BETWEEN $2 AND $3 AND id = $4",
      Params().Text(patient_id).Int(window->first).Int(window->second).Text(id), ReadObservation);
}

}  // namespace vigil::store::pg
