// A thin RAII layer over the SQLite C API: a connection, prepared statements with typed binds,
// and errors as Status. Private to store/sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace vigil::store::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Whether preparing succeeded; the Status explains why not.
  Status prepared() const;

  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& Bind(int index, int64_t value);
  // The value, or NULL when there is none.
  Statement& Bind(int index, std::optional<uint64_t> value);

  // Advances: true with a row, false when done; a failure is kept in status().
  bool Step();
  // Runs a statement that returns no rows.
  Status Run();
  // Runs a statement that changes rows; NotFound(`missing`) if it changed none.
  Status RunChanging(const std::string& missing);
  Status status() const { return status_; }
  void Reset();

  std::string Text(int column) const;
  std::string Blob(int column) const;
  // The column's bytes in place: valid until the next Step, Reset or destruction.
  std::string_view TextView(int column) const;
  std::string_view BlobView(int column) const;
  int64_t Int(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

// `value`, or the statement's failure if stepping it failed.
// The status of the connection's last error, prefixed with `what`: a constraint is
// AlreadyExists or FailedPrecondition, a failed fsync DataLoss, anything else IoError.
Status ErrorOf(sqlite3* db, std::string_view what);

template <typename T>
Result<T> Checked(const Statement& st, T value) {
  if (!st.status().ok()) return st.status();
  return value;
}

// A connection opened without SQLite's own locking: its owner serializes every use.
class Database {
 public:
  Database() = default;
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // `vfs`: the SQLite VFS to do I/O through (Env::database_vfs); empty for SQLite's default.
  Status Open(const std::string& path, bool create, const std::string& vfs = {});
  // A read-only connection (WAL lets it read while another connection commits).
  Status OpenReader(const std::string& path, const std::string& vfs = {});
  Status Exec(std::string_view sql);
  sqlite3* handle() const { return db_; }

  // A statement prepared once per connection and kept for the next call with the same SQL;
  // it is reset (its read snapshot released, its bindings cleared) when the holder goes.
  class Reused {
   public:
    explicit Reused(Statement& st) : st_(st) {}
    ~Reused() { st_.Reset(); }
    Reused(const Reused&) = delete;
    Reused& operator=(const Reused&) = delete;
    Statement& operator*() { return st_; }

   private:
    Statement& st_;
  };
  Reused Prepared(const std::string& sql);
  // The SQLite error text of the last call, for messages.
  std::string LastError() const;

 private:
  std::unordered_map<std::string, std::unique_ptr<Statement>> prepared_;
  sqlite3* db_ = nullptr;  // last: closed after the statements are finalized
};

// Read-only connections for concurrent readers, opened as needed and reused: a reader never
// waits for the writer's transaction (and its fsync) under WAL.
class ReaderPool {
 public:
  explicit ReaderPool(std::string path, std::string vfs = {})
      : path_(std::move(path)), vfs_(std::move(vfs)) {}

  // One connection, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Database> db) : pool_(&pool), db_(std::move(db)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (db_) pool_->Release(std::move(db_));
    }
    Database& db() { return *db_; }
    sqlite3* handle() const { return db_->handle(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Database> db_;
  };

  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Database> db);

  const std::string path_;
  const std::string vfs_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Database>> idle_;
};

// Runs `sql` on a pooled reader (the statement kept prepared), its parameters bound to `keys`
// in order, and returns what `consume` makes of the statement.
template <typename Consume, typename... Keys>
auto OnReader(ReaderPool& readers, const std::string& sql, Consume&& consume, const Keys&... keys)
    -> std::invoke_result_t<Consume&, Statement&> {
  VIGIL_ASSIGN_OR_RETURN(auto reader, readers.Acquire());
  auto held = reader.db().Prepared(sql);
  Statement& st = *held;
  VIGIL_RETURN_IF_ERROR(st.prepared());
  int index = 1;
  (st.Bind(index++, keys), ...);
  return consume(st);
}

// The first row `sql` selects for `keys`, made into a value by `read`; nullopt when there is
// none.
template <typename Read, typename... Keys>
auto FindRow(ReaderPool& readers, const std::string& sql, Read&& read, const Keys&... keys)
    -> Result<std::optional<std::invoke_result_t<Read&, const Statement&>>> {
  using Row = std::invoke_result_t<Read&, const Statement&>;
  return OnReader(
      readers, sql,
      [&](Statement& st) -> Result<std::optional<Row>> {
        if (!st.Step()) return Checked(st, std::optional<Row>());
        return std::optional<Row>(read(st));
      },
      keys...);
}

// Every row `sql` selects for `keys`, each made into a value by `read`.
template <typename Read, typename... Keys>
auto ReadRows(ReaderPool& readers, const std::string& sql, Read&& read, const Keys&... keys)
    -> Result<std::vector<std::invoke_result_t<Read&, const Statement&>>> {
  using Row = std::invoke_result_t<Read&, const Statement&>;
  return OnReader(
      readers, sql,
      [&](Statement& st) -> Result<std::vector<Row>> {
        std::vector<Row> out;
        while (st.Step()) out.push_back(read(st));
        return Checked(st, std::move(out));
      },
      keys...);
}

}  // namespace vigil::store::sqlite
