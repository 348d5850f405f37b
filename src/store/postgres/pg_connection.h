// A thin RAII layer over libpq: a connection with statements prepared once per connection,
// parameters and results in PostgreSQL's binary format, binary COPY for bulk rows, a pool of
// connections, and errors as Status. Private to store/postgres.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace vigil::store::pg {

// The parameters of one statement, in order ($1, $2, ...), each with its type.
class Params {
 public:
  Params& Text(std::string_view value);
  Params& Bytes(std::string_view value);
  Params& Int(int64_t value);
  // A text[] or int8[] (sent in PostgreSQL's text form for arrays).
  Params& TextArray(const std::vector<std::string_view>& values);
  Params& IntArray(const std::vector<int64_t>& values);

  int size() const { return static_cast<int>(types_.size()); }
  const Oid* types() const { return types_.data(); }
  const char* const* values() const { return pointers_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& Add(Oid type, std::string value, int format);
  std::deque<std::string> storage_;  // stable addresses for pointers_
  std::vector<Oid> types_;
  std::vector<const char*> pointers_;
  std::vector<int> lengths_, formats_;
};

// The rows a statement returned, in binary: integers (int2/4/8, bool) as int64, text and bytea
// as their bytes (views valid while the Rows live).
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view View(int row, int column) const;
  std::string Text(int row, int column) const { return std::string(View(row, column)); }
  int64_t Int(int row, int column) const;
  // Rows a command inserted, changed or deleted.
  int64_t affected() const;
  const PGresult* Raw() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// Rows for a binary COPY ... FROM STDIN: each row's fields in the table's column order.
class CopyRows {
 public:
  CopyRows();
  CopyRows& Row(int16_t fields);
  CopyRows& Text(std::string_view value);
  CopyRows& Bytes(std::string_view value) { return Text(value); }
  CopyRows& Int(int64_t value);
  CopyRows& Null();
  size_t rows() const { return rows_; }
  // The stream: header, rows, trailer.
  std::string Finish() const;

 private:
  std::string data_;
  size_t rows_ = 0;
};

// One connection: not thread-safe (a Pool hands it to one user at a time).
class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects to `url` (a libpq connection URI); Unavailable naming the server if it cannot.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);

  // Runs `sql` (one or more statements, no parameters) by the simple protocol.
  Status Exec(std::string_view sql);
  // Runs `sql`, prepared on this connection the first time it is seen, with `params`.
  Result<Rows> Query(const std::string& sql, const Params& params = {});
  Status Run(const std::string& sql, const Params& params = {});
  // Runs a command; NotFound(`missing`) if it changed no row.
  Status RunChanging(const std::string& sql, const Params& params, const std::string& missing);
  // COPY `table_and_columns` FROM STDIN in binary from `rows`.
  Status Copy(std::string_view table_and_columns, const CopyRows& rows);

  // Runs `body` between BEGIN and COMMIT (ROLLBACK when it fails).
  template <typename Body>
  Status Transaction(Body&& body, std::string_view begin = "BEGIN") {
    VIGIL_RETURN_IF_ERROR(Exec(begin));
    Status s = body();
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
    return Exec("COMMIT");
  }

  // Whether the connection can still be used (a broken one is dropped by its pool).
  bool healthy() const;

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Status Check(const PGresult* result, std::string_view what);
  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

// The Status of a failed result: a unique key is AlreadyExists, another constraint
// FailedPrecondition, a serialization failure or deadlock Aborted, a lost connection or a
// server that is shutting down, starting or read-only Unavailable, a full disk
// ResourceExhausted, anything else IoError. `what` begins the message.
Status ErrorOf(PGconn* conn, const PGresult* result, std::string_view what);

// Connections to one database, opened as needed and reused. Thread-safe.
class Pool {
 public:
  explicit Pool(std::string url) : url_(std::move(url)) {}

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Result<Lease> Acquire();
  const std::string& url() const { return url_; }

 private:
  void Release(std::unique_ptr<Connection> conn);
  const std::string url_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace vigil::store::pg

namespace vigil::store::pg {

// Runs `sql` with `params` on a pooled connection and returns what `read(rows)` makes of the
// result.
template <typename Read>
auto OnPooled(Pool& pool, const std::string& sql, const Params& params, Read&& read)
    -> Result<std::invoke_result_t<Read&, const Rows&>> {
  VIGIL_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  VIGIL_ASSIGN_OR_RETURN(Rows rows, conn->Query(sql, params));
  return read(rows);
}

// The first row `sql` selects, made into a value by `read(rows, row)`; nullopt when none.
template <typename Read>
auto FindRow(Pool& pool, const std::string& sql, const Params& params, Read&& read)
    -> Result<std::optional<std::invoke_result_t<Read&, const Rows&, int>>> {
  using Row = std::invoke_result_t<Read&, const Rows&, int>;
  return OnPooled(pool, sql, params, [&](const Rows& rows) {
    return rows.size() == 0 ? std::optional<Row>() : std::optional<Row>(read(rows, 0));
  });
}

// Every row `sql` selects, each made into a value by `read(rows, row)`.
template <typename Read>
auto ReadRows(Pool& pool, const std::string& sql, const Params& params, Read&& read)
    -> Result<std::vector<std::invoke_result_t<Read&, const Rows&, int>>> {
  using Row = std::invoke_result_t<Read&, const Rows&, int>;
  return OnPooled(pool, sql, params, [&](const Rows& rows) {
    std::vector<Row> out;
    out.reserve(static_cast<size_t>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows, i));
    return out;
  });
}

// The id an INSERT ... RETURNING id gave (read by FindRow); Internal if it gave none.
inline Result<int64_t> InsertedId(Result<std::optional<int64_t>> id) {
  if (!id.ok()) return id.status();
  if (!*id) return Status::Internal("the database returned no id for a new row");
  return **id;
}

// Runs a command on a pooled connection.
inline Status RunPooled(Pool& pool, const std::string& sql, const Params& params) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  return conn->Run(sql, params);
}

// Runs a command on a pooled connection; NotFound(`missing`) if it changed no row.
inline Status ChangePooled(Pool& pool, const std::string& sql, const Params& params,
                           const std::string& missing) {
  VIGIL_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  return conn->RunChanging(sql, params, missing);
}

}  // namespace vigil::store::pg
