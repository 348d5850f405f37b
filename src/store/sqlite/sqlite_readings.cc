#include "store/sqlite/sqlite_readings.h"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace vigil::store::sqlite {
namespace {

// The columns ReadObservation reads, in its order.
constexpr std::string_view kObservationColumns =
    "SELECT id, patient_id, device_id, code, effective_ms, seq, sealed FROM observations";

// Version 9: each receipt records the span of effective times of its message's Observations,
// so that an Observation is found by id with a seek into its patient's index within that span
// (the id names the message: <device>.<seq>.<n>) instead of a scan of the patient's rows.
constexpr std::string_view kReceiptSpans = R"sql(
ALTER TABLE reading_receipts ADD COLUMN first_effective_ms INTEGER;
ALTER TABLE reading_receipts ADD COLUMN last_effective_ms INTEGER;
)sql";

// The device and sequence number an Observation id names (<device>.<seq>.<n>), if it does.
std::optional<std::pair<std::string, int64_t>> MessageOf(std::string_view id) {
  const size_t dot = id.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  int64_t seq = 0;
  const char* begin = id.data() + dot + 1;
  const char* end = id.data() + id.size();
  const auto [next, error] = std::from_chars(begin, end, seq);
  if (error != std::errc() || next == begin || next == end || *next != '.') return std::nullopt;
  return std::pair(std::string(id.substr(0, dot)), seq);
}

// The first and last effective time of `observations` into parameters `first` and
// `first + 1` (NULL for a message without any).
void BindEffectiveSpan(Statement& st, int first,
                       const std::vector<SealedObservation>& observations) {
  if (observations.empty()) {
    st.Bind(first, std::optional<uint64_t>()).Bind(first + 1, std::optional<uint64_t>());
    return;
  }
  const auto [low, high] = std::minmax_element(
      observations.begin(), observations.end(),
      [](const auto& a, const auto& b) { return a.effective_ms < b.effective_ms; });
  st.Bind(first, low->effective_ms).Bind(first + 1, high->effective_ms);
}

SealedObservation ReadObservation(const Statement& st) {
  return {st.Text(0), st.Text(1), st.Text(2),
          st.Text(3), st.Int(4),  static_cast<uint64_t>(st.Int(5)),
          st.Blob(6)};
}

// The WHERE clause of `q` (bound by BindObservationFilter, in the same order).
std::string ObservationFilter(const ObservationQuery& q) {
  std::string where = " WHERE patient_id = ?";
  if (!q.codes.empty()) {
    where += " AND code IN (?";
    for (size_t i = 1; i < q.codes.size(); ++i) where += ", ?";
    where += ")";
  }
  if (q.from_ms) where += " AND effective_ms >= ?";
  if (q.to_ms) where += " AND effective_ms <= ?";
  return where;
}

// Binds the filter's parameters; the index of the next parameter.
int BindObservationFilter(Statement& st, const ObservationQuery& q) {
  int i = 1;
  st.Bind(i++, q.patient_id);
  for (const auto& code : q.codes) st.Bind(i++, code);
  if (q.from_ms) st.Bind(i++, *q.from_ms);
  if (q.to_ms) st.Bind(i++, *q.to_ms);
  return i;
}

}  // namespace

Status AddReceiptSpans(Database& db) { return db.Exec(kReceiptSpans); }

Status InsertReadings(Database& db, std::span<const ReadingCommit> commits,
                      std::optional<uint64_t> ledger_index) {
  auto held_receipt = db.Prepared(
      "INSERT INTO reading_receipts (device_id, seq, payload_digest, received_ms,"
      " ledger_index, first_effective_ms, last_effective_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
  auto held_obs = db.Prepared(
      "INSERT INTO observations (id, patient_id, device_id, code, effective_ms, seq,"
      " sealed, ledger_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  auto held_seq = db.Prepared("UPDATE devices SET last_seq = max(last_seq, ?) WHERE id = ?");
  Statement& receipt = *held_receipt;
  Statement& obs = *held_obs;
  Statement& seq = *held_seq;
  std::unordered_map<std::string_view, uint64_t> highest;  // per device, once per transaction
  VIGIL_RETURN_IF_ERROR(receipt.prepared());
  VIGIL_RETURN_IF_ERROR(obs.prepared());
  VIGIL_RETURN_IF_ERROR(seq.prepared());
  for (const ReadingCommit& c : commits) {
    receipt.Bind(1, c.device_id).Bind(2, static_cast<int64_t>(c.seq));
    receipt.BindBlob(3, c.payload_digest).Bind(4, c.received_ms).Bind(5, ledger_index);
    BindEffectiveSpan(receipt, 6, c.observations);
    VIGIL_RETURN_IF_ERROR(receipt.Run());
    for (const SealedObservation& o : c.observations) {
      obs.Bind(1, o.id).Bind(2, o.patient_id).Bind(3, o.device_id).Bind(4, o.code);
      obs.Bind(5, o.effective_ms).Bind(6, static_cast<int64_t>(o.seq)).BindBlob(7, o.sealed);
      obs.Bind(8, ledger_index);
      VIGIL_RETURN_IF_ERROR(obs.Run());
    }
    uint64_t& h = highest[c.device_id];
    h = std::max(h, c.seq);
  }
  for (const auto& [device, last] : highest) {
    seq.Bind(1, static_cast<int64_t>(last)).Bind(2, device);
    VIGIL_RETURN_IF_ERROR(seq.Run());
  }
  return Status::Ok();
}

Result<std::vector<SealedObservation>> ListObservations(ReaderPool& readers,
                                                        const std::string& patient_id) {
  return ReadRows(readers,
                  std::string(kObservationColumns) +
                      " WHERE patient_id = ? ORDER BY effective_ms, device_id, seq, rowid",
                  ReadObservation, patient_id);
}

Status VisitObservations(ReaderPool& readers, const ObservationQuery& q,
                         const ObservationVisitor& visit) {
  const std::string order =
      q.newest_first ? " ORDER BY effective_ms DESC, id DESC" : " ORDER BY effective_ms, id";
  return OnReader(
      readers,
      std::string(kObservationColumns) + ObservationFilter(q) + order + " LIMIT ? OFFSET ?",
      [&](Statement& st) {
        const int next = BindObservationFilter(st, q);
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

// Through its message's receipt: a seek into the patient's index within the span of times
// the message's Observations have. Receipts from before version 9 have no span: then the
// patient's rows are scanned.
Result<std::optional<SealedObservation>> FindObservation(ReaderPool& readers,
                                                         const std::string& patient_id,
                                                         const std::string& id) {
  std::optional<std::pair<int64_t, int64_t>> span;
  if (const auto message = MessageOf(id)) {
    VIGIL_ASSIGN_OR_RETURN(
        span, FindRow(
                  readers,
                  "SELECT first_effective_ms, last_effective_ms FROM reading_receipts"
                  " WHERE device_id = ? AND seq = ? AND first_effective_ms IS NOT NULL",
                  [](const Statement& st) { return std::pair(st.Int(0), st.Int(1)); },
                  message->first, message->second));
  }
  if (!span) {
    return FindRow(readers, std::string(kObservationColumns) + " WHERE patient_id = ? AND id = ?",
                   ReadObservation, patient_id, id);
  }
  return FindRow(readers,
                 std::string(kObservationColumns) +
                     " WHERE patient_id = ? AND effective_ms BETWEEN ? AND ? AND id = ?",
                 ReadObservation, patient_id, span->first, span->second, id);
}

}  // namespace vigil::store::sqlite
