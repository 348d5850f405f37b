#include "store/sqlite/sqlite_readings.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "model/observation.h"
#include "model/reading.h"
#include "store/sqlite/sqlite_receipts.h"
#include "store/sqlite/sqlite_suspects.h"

namespace vigil::store::sqlite {
namespace {

const std::string kSelectObservations =
    "SELECT " + std::string(kObservationColumns) + " FROM observations";

// Version 9: each device records the widest gap it has had between an Observation's effective
// time and its message's receipt, so that an Observation is found by id (the id names its
// message: <device>.<seq>.<n>) with a seek into its patient's index around the receipt's time
// instead of a scan of the patient's rows. Existing devices get it from their stored rows.
constexpr std::string_view kDeviceSkew = R"sql(
ALTER TABLE devices ADD COLUMN max_skew_ms INTEGER NOT NULL DEFAULT 0;
UPDATE devices SET max_skew_ms = coalesce((
  SELECT max(abs(o.effective_ms - r.received_ms)) FROM observations o
  JOIN reading_receipts r ON r.device_id = o.device_id AND r.seq = o.seq
  WHERE o.device_id = devices.id), 0);
)sql";

// The WHERE clause of `q` (bound by BindObservationFilter, in the same order).
std::string ObservationFilter(const ObservationQuery& q) {
  std::string where = " WHERE patient_id = ?";
  if (!q.codes.empty()) {
    where += " AND code IN (?";
    for (size_t i = 1; i < q.codes.size(); ++i) where += ", ?";
    where += ")";
  }
  if (!q.ids.empty()) {
    where += " AND id IN (?";
    for (size_t i = 1; i < q.ids.size(); ++i) where += ", ?";
    where += ")";
  }
  if (q.from_ms) where += " AND effective_ms >= ?";
  if (q.to_ms) where += " AND effective_ms <= ?";
  if (q.not_between) where += " AND (effective_ms < ? OR effective_ms > ?)";
  return where;
}

// Binds the filter's parameters; the index of the next parameter.
int BindObservationFilter(Statement& st, const ObservationQuery& q) {
  int i = 1;
  st.Bind(i++, q.patient_id);
  for (const auto& code : q.codes) st.Bind(i++, code);
  for (const auto& id : q.ids) st.Bind(i++, id);
  if (q.from_ms) st.Bind(i++, *q.from_ms);
  if (q.to_ms) st.Bind(i++, *q.to_ms);
  if (q.not_between) {
    st.Bind(i++, q.not_between->first);
    st.Bind(i++, q.not_between->second);
  }
  return i;
}

}  // namespace

SealedObservation ReadObservation(const Statement& st) {
  return {st.Text(0), st.Text(1), st.Text(2),
          st.Text(3), st.Int(4),  static_cast<uint64_t>(st.Int(5)),
          st.Blob(6)};
}

Status AddDeviceSkew(Database& db) { return db.Exec(kDeviceSkew); }

Result<bool> InsertReadings(Database& db, std::span<const ReadingCommit> commits,
                            std::optional<uint64_t> ledger_index) {
  auto held_receipt = db.Prepared(
      "INSERT INTO reading_receipts (device_id, seq, payload_digest, received_ms,"
      " ledger_index) VALUES (?, ?, ?, ?, ?)");
  auto held_obs = db.Prepared(
      "INSERT INTO observations (id, patient_id, device_id, code, effective_ms, seq,"
      " sealed, ledger_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  auto held_device = db.Prepared("SELECT last_seq, patient_id FROM devices WHERE id = ?");
  auto held_seq = db.Prepared(
      "UPDATE devices SET last_seq = max(last_seq, ?), max_skew_ms = max(max_skew_ms, ?)"
      " WHERE id = ?");
  Statement& receipt = *held_receipt;
  Statement& obs = *held_obs;
  Statement& device = *held_device;
  Statement& seq = *held_seq;
  // Per device, read and written once per transaction: its patient, the highest sequence
  // number stored or inserted so far, and the widest skew.
  struct DeviceUpdate {
    std::string patient_id;
    uint64_t highest_seq = 0;
    int64_t widest_skew_ms = 0;
  };
  std::unordered_map<std::string_view, DeviceUpdate> devices;
  VIGIL_RETURN_IF_ERROR(receipt.prepared());
  VIGIL_RETURN_IF_ERROR(obs.prepared());
  VIGIL_RETURN_IF_ERROR(device.prepared());
  VIGIL_RETURN_IF_ERROR(seq.prepared());
  for (const ReadingCommit& c : commits) {
    if (!model::IsValidSequence(c.seq)) {  // the decoders refuse these; never wrap one
      return Status::InvalidArgument("sequence number of device " + c.device_id +
                                     " is out of range");
    }
    auto [it, first] = devices.try_emplace(c.device_id);
    DeviceUpdate& d = it->second;
    if (first) {  // what foreign keys checked row by row, once per device
      device.Bind(1, c.device_id);
      const bool enrolled = device.Step();
      VIGIL_RETURN_IF_ERROR(device.status());
      if (!enrolled) return Status::FailedPrecondition("no device " + c.device_id);
      d.highest_seq = static_cast<uint64_t>(device.Int(0));
      d.patient_id = device.Text(1);
      device.Reset();
    }
    // Above every stored sequence number is new; at or below, only a lookup can tell (the
    // index by device is no constraint: it is written in batches).
    if (c.seq <= d.highest_seq) VIGIL_RETURN_IF_ERROR(CheckNoReceipt(db, c.device_id, c.seq));
    receipt.Bind(1, c.device_id).Bind(2, static_cast<int64_t>(c.seq));
    receipt.BindBlob(3, c.payload_digest).Bind(4, c.received_ms).Bind(5, ledger_index);
    VIGIL_RETURN_IF_ERROR(receipt.Run());
    for (const SealedObservation& o : c.observations) {
      if (o.device_id != c.device_id || o.patient_id != d.patient_id) {
        return Status::InvalidArgument("Observation " + o.id + " is not device " + c.device_id +
                                       "'s for its patient");
      }
      obs.Bind(1, o.id).Bind(2, o.patient_id).Bind(3, o.device_id).Bind(4, o.code);
      obs.Bind(5, o.effective_ms).Bind(6, static_cast<int64_t>(o.seq)).BindBlob(7, o.sealed);
      obs.Bind(8, ledger_index);
      VIGIL_RETURN_IF_ERROR(obs.Run());
    }
    if (!c.suspect.empty()) {
      VIGIL_RETURN_IF_ERROR(InsertSuspect(db, d.patient_id, c.device_id, c.seq, c.suspect));
    }
    d.highest_seq = std::max(d.highest_seq, c.seq);
    d.widest_skew_ms = std::max(d.widest_skew_ms, WidestSkew(c));
  }
  for (const auto& [device, d] : devices) {
    seq.Bind(1, static_cast<int64_t>(d.highest_seq)).Bind(2, d.widest_skew_ms).Bind(3, device);
    VIGIL_RETURN_IF_ERROR(seq.Run());
  }
  return IndexReceiptTail(db);
}

Result<std::vector<SealedObservation>> ListObservations(ReaderPool& readers,
                                                        const std::string& patient_id) {
  return ReadRows(
      readers,
      kSelectObservations + " WHERE patient_id = ? ORDER BY effective_ms, device_id, seq, rowid",
      ReadObservation, patient_id);
}

Status VisitObservations(ReaderPool& readers, const ObservationQuery& q,
                         const ObservationVisitor& visit) {
  std::string sql = kSelectObservations + ObservationFilter(q);
  if (q.after) {
    sql += q.newest_first ? " AND (effective_ms, id) < (?, ?)" : " AND (effective_ms, id) > (?, ?)";
  }
  sql += q.newest_first ? " ORDER BY effective_ms DESC, id DESC" : " ORDER BY effective_ms, id";
  return OnReader(readers, sql + " LIMIT ? OFFSET ?", [&](Statement& st) {
    int next = BindObservationFilter(st, q);
    if (q.after) {
      st.Bind(next++, q.after->first);
      st.Bind(next++, q.after->second);
    }
    st.Bind(next, static_cast<int64_t>(q.limit)).Bind(next + 1, static_cast<int64_t>(q.offset));
    SealedObservationView row;
    while (st.Step()) {
      row.id = st.TextView(0);
      row.patient_id = st.TextView(1);
      row.device_id = st.TextView(2);
      row.code = st.TextView(3);
      row.effective_ms = st.Int(4);
      row.seq = static_cast<uint64_t>(st.Int(5));
      row.sealed = st.BlobView(6);
      if (!visit(row)) break;
    }
    return st.status();
  });
}

Result<uint64_t> CountObservations(ReaderPool& readers, const ObservationQuery& q) {
  return OnReader(readers, "SELECT COUNT(*) FROM observations" + ObservationFilter(q),
                  [&](Statement& st) -> Result<uint64_t> {
                    BindObservationFilter(st, q);
                    const uint64_t n = st.Step() ? static_cast<uint64_t>(st.Int(0)) : 0;
                    return Checked(st, n);
                  });
}

// Through its message's receipt: a seek into the patient's index within the device's widest
// skew around the receipt's time (every Observation of the device lies there). Without the
// receipt, the patient's rows are scanned.
Result<std::optional<SealedObservation>> FindObservation(ReaderPool& readers,
                                                         const RecentReceipts& recent,
                                                         const std::string& patient_id,
                                                         const std::string& id) {
  std::optional<std::pair<int64_t, int64_t>> window;
  if (const auto message = model::SourceOfObservationId(id)) {
    VIGIL_ASSIGN_OR_RETURN(const auto receipt,
                           FindReceipt(readers, recent, message->device_id, message->seq));
    if (receipt) {
      VIGIL_ASSIGN_OR_RETURN(
          window,
          FindRow(
              readers, "SELECT ?2 - max_skew_ms, ?2 + max_skew_ms FROM devices WHERE id = ?1",
              [](const Statement& st) { return std::pair(st.Int(0), st.Int(1)); },
              message->device_id, receipt->received_ms));
    }
  }
  if (!window) {
    return FindRow(readers, kSelectObservations + " WHERE patient_id = ? AND id = ?",
                   ReadObservation, patient_id, id);
  }
  return FindRow(
      readers,
      kSelectObservations + " WHERE patient_id = ? AND effective_ms BETWEEN ? AND ? AND id = ?",
      ReadObservation, patient_id, window->first, window->second, id);
}

}  // namespace vigil::store::sqlite
