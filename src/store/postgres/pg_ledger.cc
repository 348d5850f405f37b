#include "store/postgres/pg_ledger.h"

#include <functional>
#include <utility>

#include "store/ledger_slots.h"
#include "store/postgres/pg_readings.h"

namespace vigil::store::pg {
namespace {

constexpr int kBatchPageRows = 4096;

}  // namespace

Result<uint64_t> ReadLedgerSize(Connection& conn) {
  VIGIL_ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT size FROM ledger_head"));
  if (rows.size() != 1) return Status::DataLoss("the ledger's head row is missing");
  return static_cast<uint64_t>(rows.Int(0, 0));
}

Result<uint64_t> WriteLedgerAppend(Connection& conn, const LedgerAppend& requested) {
  // Other appenders (hubs) wait here until this transaction ends.
  VIGIL_ASSIGN_OR_RETURN(Rows head, conn.Query("SELECT size FROM ledger_head FOR UPDATE"));
  if (head.size() != 1) return Status::DataLoss("the ledger's head row is missing");
  std::optional<LedgerAppend> remade;
  VIGIL_ASSIGN_OR_RETURN(const LedgerAppend* at,
                         AppendAtSize(requested, static_cast<uint64_t>(head.Int(0, 0)), remade));
  const LedgerAppend& append = *at;
  const uint64_t end = append.first_index + append.entries.size();
  VIGIL_RETURN_IF_ERROR(
      conn.Run("UPDATE ledger_head SET size = $1", Params().Int(static_cast<int64_t>(end))));
  CopyRows entries, subjects, nodes;
  for (size_t i = 0; i < append.entries.size(); ++i) {
    const auto index = static_cast<int64_t>(append.first_index + i);
    entries.Row(2).Int(index).Bytes(append.entries[i]);
    if (i < append.subjects.size() && !append.subjects[i].empty()) {
      subjects.Row(2).Text(append.subjects[i]).Int(index);
    }
  }
  for (const auto& n : append.nodes) {
    nodes.Row(2).Int(static_cast<int64_t>(LedgerNodeSlot(n.level, n.index))).Bytes(n.hash);
  }
  VIGIL_RETURN_IF_ERROR(conn.Copy("ledger_entries (idx, entry)", entries));
  if (subjects.rows() > 0) {
    VIGIL_RETURN_IF_ERROR(conn.Copy("ledger_subjects (subject, idx)", subjects));
  }
  if (nodes.rows() > 0) VIGIL_RETURN_IF_ERROR(conn.Copy("ledger_nodes (slot, hash)", nodes));
  return append.first_index;
}

Result<std::vector<std::string>> ReadLedgerEntries(Pool& pool, uint64_t from, uint64_t count) {
  return ReadRows(pool,
                  "SELECT entry FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                  Params().Int(static_cast<int64_t>(from)).Int(static_cast<int64_t>(from + count)),
                  [](const Rows& rows, int i) { return rows.Text(i, 0); });
}

Result<std::optional<std::string>> ReadLedgerNode(Pool& pool, int level, uint64_t index) {
  return FindRow(pool, "SELECT hash FROM ledger_nodes WHERE slot = $1",
                 Params().Int(static_cast<int64_t>(LedgerNodeSlot(level, index))),
                 [](const Rows& rows, int i) { return rows.Text(i, 0); });
}

Result<std::vector<LedgerNodeRecord>> ReadNodesCompletedBy(Pool& pool, uint64_t first,
                                                           uint64_t end) {
  std::vector<LedgerNodeRecord> out;
  std::vector<int64_t> slots;
  for (uint64_t leaf = first; leaf < end; ++leaf) {
    ForEachNodeCompletedBy(leaf, [&](int level, uint64_t index, uint64_t slot) {
      out.push_back({level, index, {}});
      slots.push_back(static_cast<int64_t>(slot));
    });
  }
  if (slots.empty()) return out;
  VIGIL_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  VIGIL_ASSIGN_OR_RETURN(Rows rows,
                         conn->Query("SELECT slot, hash FROM ledger_nodes WHERE slot = ANY($1)",
                                     Params().IntArray(slots)));
  std::unordered_map<int64_t, std::string_view> stored;
  for (int i = 0; i < rows.size(); ++i) stored.emplace(rows.Int(i, 0), rows.View(i, 1));
  for (size_t i = 0; i < out.size(); ++i) {
    if (auto it = stored.find(slots[i]); it != stored.end()) out[i].hash = it->second;
  }
  return out;
}

Status WriteNodes(Connection& conn, const std::vector<LedgerNodeRecord>& nodes) {
  for (const auto& n : nodes) {
    VIGIL_RETURN_IF_ERROR(conn.Run(
        "INSERT INTO ledger_nodes (slot, hash) VALUES ($1, $2)"
        " ON CONFLICT (slot) DO UPDATE SET hash = excluded.hash",
        Params().Int(static_cast<int64_t>(LedgerNodeSlot(n.level, n.index))).Bytes(n.hash)));
  }
  return Status::Ok();
}

Result<std::vector<IndexedLedgerEntry>> ReadEntriesAbout(Pool& pool, const std::string& subject,
                                                         uint64_t limit) {
  return ReadRows(
      pool,
      "SELECT e.idx, e.entry FROM ledger_subjects s JOIN ledger_entries e"
      " ON e.idx = s.idx WHERE s.subject = $1 ORDER BY s.idx LIMIT $2",
      Params().Text(subject).Int(static_cast<int64_t>(limit)), [](const Rows& rows, int i) {
        return IndexedLedgerEntry{static_cast<uint64_t>(rows.Int(i, 0)), rows.Text(i, 1)};
      });
}

namespace {

// Rows ordered by ledger index (column `key`), read a page at a time by keyset: `fetch(last)`
// returns the page after row `last` of the previous page (nullptr: the first page).
class PagedRows {
 public:
  using Fetch = std::function<Result<Rows>(const Rows* page, int last)>;
  PagedRows(Fetch fetch, int key) : fetch_(std::move(fetch)), key_(key) {}

  Status Start() { return Load(nullptr); }
  // Whether the current row belongs to `index`, after passing over rows of earlier indices.
  bool At(int64_t index) {
    while (Valid() && page_->Int(row_, key_) < index) Next();
    return Valid() && page_->Int(row_, key_) == index;
  }
  void Next() {
    if (++row_ < page_->size() || page_->size() < kBatchPageRows) return;
    status_ = Load(&*page_);
  }
  const Rows& page() const { return *page_; }
  int row() const { return row_; }
  Status status() const { return status_; }

 private:
  bool Valid() const { return status_.ok() && page_ && row_ < page_->size(); }
  Status Load(const Rows* previous) {
    auto next = fetch_(previous, previous ? previous->size() - 1 : -1);
    if (!next.ok()) return next.status();
    page_.emplace(std::move(next).value());
    row_ = 0;
    return Status::Ok();
  }
  Fetch fetch_;
  int key_;
  std::optional<Rows> page_;
  int row_ = 0;
  Status status_;
};

class PgLedgerBatchReader final : public LedgerBatchReader {
 public:
  explicit PgLedgerBatchReader(Pool::Lease conn)
      : conn_(std::move(conn)),
        receipts_(
            [this](const Rows* page, int last) {
              const std::string select =
                  "SELECT device_id, seq, payload_digest, received_ms, ledger_index FROM"
                  " reading_receipts WHERE ledger_index IS NOT NULL";
              const std::string order =
                  " ORDER BY ledger_index, device_id, seq LIMIT " + std::to_string(kBatchPageRows);
              if (!page) return conn_->Query(select + order);
              return conn_->Query(
                  select + " AND (ledger_index, device_id, seq) > ($1, $2, $3)" + order,
                  Params()
                      .Int(page->Int(last, 4))
                      .Text(page->View(last, 0))
                      .Int(page->Int(last, 1)));
            },
            4),
        observations_(
            [this](const Rows* page, int last) {
              const std::string select = "SELECT " + std::string(kObservationColumns) +
                                         ", ledger_index FROM observations"
                                         " WHERE ledger_index IS NOT NULL";
              const std::string order =
                  " ORDER BY ledger_index, id LIMIT " + std::to_string(kBatchPageRows);
              if (!page) return conn_->Query(select + order);
              return conn_->Query(select + " AND (ledger_index, id) > ($1, $2)" + order,
                                  Params().Int(page->Int(last, 7)).Text(page->View(last, 0)));
            },
            7) {}
  ~PgLedgerBatchReader() override { (void)conn_->Exec("ROLLBACK"); }

  Status Start() {
    VIGIL_RETURN_IF_ERROR(conn_->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    VIGIL_RETURN_IF_ERROR(receipts_.Start());
    return observations_.Start();
  }

  Result<LedgerBatchRows> Read(uint64_t entry_index) override {
    const auto index = static_cast<int64_t>(entry_index);
    LedgerBatchRows rows;
    for (; receipts_.At(index); receipts_.Next()) {
      const Rows& r = receipts_.page();
      const int i = receipts_.row();
      rows.receipts.push_back(
          {r.Text(i, 0), static_cast<uint64_t>(r.Int(i, 1)), r.Text(i, 2), r.Int(i, 3), {}});
    }
    VIGIL_RETURN_IF_ERROR(receipts_.status());
    for (; observations_.At(index); observations_.Next()) {
      rows.observations.push_back(ReadObservation(observations_.page(), observations_.row()));
    }
    VIGIL_RETURN_IF_ERROR(observations_.status());
    return rows;
  }

 private:
  Pool::Lease conn_;
  PagedRows receipts_, observations_;
};

}  // namespace

Result<std::unique_ptr<LedgerBatchReader>> MakeLedgerBatchReader(Pool::Lease conn) {
  auto reader = std::make_unique<PgLedgerBatchReader>(std::move(conn));
  VIGIL_RETURN_IF_ERROR(reader->Start());
  return std::unique_ptr<LedgerBatchReader>(std::move(reader));
}

Result<uint64_t> CountUnledgered(Pool& pool) {
  return OnPooled(
      pool,
      "SELECT (SELECT count(*) FROM reading_receipts r WHERE r.ledger_index IS NULL OR NOT EXISTS"
      " (SELECT 1 FROM ledger_entries e WHERE e.idx = r.ledger_index)) +"
      " (SELECT count(*) FROM observations o WHERE o.ledger_index IS NULL OR NOT EXISTS"
      " (SELECT 1 FROM ledger_entries e WHERE e.idx = o.ledger_index))",
      {}, [](const Rows& rows) { return static_cast<uint64_t>(rows.Int(0, 0)); });
}

// The primary key keeps one receipt per (device, sequence number): only the range is checked.
Result<std::optional<std::string>> FindReceiptAnomaly(Pool& pool) {
  return FindRow(pool,
                 "SELECT device_id || ' sequence number ' || seq || ' (out of range)'"
                 " FROM reading_receipts WHERE seq <= 0 LIMIT 1",
                 {}, [](const Rows& rows, int i) { return rows.Text(i, 0); });
}

Status WriteCheckpoint(Pool& pool, const StoredCheckpoint& c) {
  return RunPooled(pool,
                   "INSERT INTO ledger_checkpoints (size, note, created_ms) VALUES ($1, $2, $3)"
                   " ON CONFLICT (size) DO NOTHING",
                   Params().Int(static_cast<int64_t>(c.size)).Text(c.note).Int(c.created_ms));
}

Status CosignCheckpoint(Pool& pool, uint64_t size, const std::string& cosigned) {
  // Only more signatures: the stored note must be where the new one begins.
  return ChangePooled(pool,
                      "UPDATE ledger_checkpoints SET note = $1 WHERE size = $2 AND"
                      " left($1, length(note)) = note",
                      Params().Text(cosigned).Int(static_cast<int64_t>(size)),
                      "no checkpoint of " + std::to_string(size) + " that this note extends");
}

Result<std::vector<StoredCheckpoint>> ReadCheckpoints(Pool& pool) {
  return ReadRows(pool, "SELECT size, note, created_ms FROM ledger_checkpoints ORDER BY size", {},
                  [](const Rows& rows, int i) {
                    return StoredCheckpoint{static_cast<uint64_t>(rows.Int(i, 0)), rows.Text(i, 1),
                                            rows.Int(i, 2)};
                  });
}

Result<std::optional<StoredCheckpoint>> FindCheckpoint(Pool& pool, std::optional<uint64_t> size) {
  const auto read = [](const Rows& rows, int i) {
    return StoredCheckpoint{static_cast<uint64_t>(rows.Int(i, 0)), rows.Text(i, 1), rows.Int(i, 2)};
  };
  if (size) {
    return FindRow(pool, "SELECT size, note, created_ms FROM ledger_checkpoints WHERE size = $1",
                   Params().Int(static_cast<int64_t>(*size)), read);
  }
  return FindRow(pool,
                 "SELECT size, note, created_ms FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
                 {}, read);
}

}  // namespace vigil::store::pg
