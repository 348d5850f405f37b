// A thin RAII layer over the SQLite C API: a connection, prepared statements with typed binds,
// and errors as Status. Private to store/sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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
  Status status() const { return status_; }
  void Reset();

  std::string Text(int column) const;
  std::string Blob(int column) const;
  int64_t Int(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

// `value`, or the statement's failure if stepping it failed.
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

  Status Open(const std::string& path, bool create);
  Status Exec(std::string_view sql);
  sqlite3* handle() const { return db_; }
  // The SQLite error text of the last call, for messages.
  std::string LastError() const;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace vigil::store::sqlite
