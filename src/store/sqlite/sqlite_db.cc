#include "store/sqlite/sqlite_db.h"

namespace vigil::store::sqlite {

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    status_ = Status::Internal(std::string("SQL prepare failed: ") + sqlite3_errmsg(db));
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::prepared() const { return stmt_ ? Status::Ok() : status_; }

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::optional<uint64_t> value) {
  if (value) return Bind(index, static_cast<int64_t>(*value));
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Status ErrorOf(sqlite3* db, std::string_view what) {
  const int ext = sqlite3_extended_errcode(db);
  const std::string msg = std::string(what) + sqlite3_errmsg(db);
  if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE) {
    return Status::AlreadyExists(msg);
  }
  if ((ext & 0xff) == SQLITE_CONSTRAINT) return Status::FailedPrecondition(msg);
  if (ext == SQLITE_IOERR_FSYNC || ext == SQLITE_IOERR_DIR_FSYNC) {
    // After a failed fsync the kernel may have dropped the pages it could not write; nothing
    // written since the last confirmed sync can be trusted to be on the disk.
    return Status::DataLoss(msg + " (the disk did not confirm a write: fsync failed)");
  }
  return Status::IoError(msg);
}

bool Statement::Step() {
  if (!stmt_) return false;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    status_ = ErrorOf(db_, "SQL step failed: ");
  }
  return false;
}

Status Statement::Run() {
  VIGIL_RETURN_IF_ERROR(prepared());
  while (Step()) {
  }
  Status result = status_;
  Reset();
  return result;
}

Status Statement::RunChanging(const std::string& missing) {
  VIGIL_RETURN_IF_ERROR(Run());
  if (sqlite3_changes(db_) == 0) return Status::NotFound(missing);
  return Status::Ok();
}

void Statement::Reset() {
  if (!stmt_) return;  // never prepared: its failure stays in status()
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = Status::Ok();
}

std::string Statement::Text(int column) const { return std::string(TextView(column)); }

std::string Statement::Blob(int column) const { return std::string(BlobView(column)); }

std::string_view Statement::TextView(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  return p ? std::string_view(reinterpret_cast<const char*>(p),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string_view();
}

std::string_view Statement::BlobView(int column) const {
  const auto* p = sqlite3_column_blob(stmt_, column);
  return p ? std::string_view(static_cast<const char*>(p),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string_view();
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

Database::~Database() {
  prepared_.clear();
  sqlite3_close_v2(db_);
}

Database::Reused Database::Prepared(const std::string& sql) {
  auto& slot = prepared_[sql];
  if (!slot) slot = std::make_unique<Statement>(db_, sql);
  return Reused(*slot);
}

namespace {

// SQLite's memory statistics take a process-wide mutex around every allocation it makes; Vigil
// reads none of them. Set once, before the first connection initializes the library.
void ConfigureSqliteOnce() {
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
}

}  // namespace

Status Database::Open(const std::string& path, bool create, const std::string& vfs) {
  ConfigureSqliteOnce();
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, vfs.empty() ? nullptr : vfs.c_str()) !=
      SQLITE_OK) {
    return Status::IoError("cannot open database " + path + ": " + LastError());
  }
  sqlite3_busy_timeout(db_, 5000);
  return Status::Ok();
}

Status Database::OpenReader(const std::string& path, const std::string& vfs) {
  ConfigureSqliteOnce();
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                      vfs.empty() ? nullptr : vfs.c_str()) != SQLITE_OK) {
    return Status::IoError("cannot open database " + path + ": " + LastError());
  }
  sqlite3_busy_timeout(db_, 5000);
  return Exec("PRAGMA cache_size=-16384");
}

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(db));
    }
  }
  auto db = std::make_unique<Database>();
  VIGIL_RETURN_IF_ERROR(db->OpenReader(path_, vfs_));
  return Lease(*this, std::move(db));
}

void ReaderPool::Release(std::unique_ptr<Database> db) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(db));
}

Status Database::Exec(std::string_view sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    sqlite3_free(error);
    return ErrorOf(db_, "SQL failed: ");
  }
  return Status::Ok();
}

std::string Database::LastError() const { return db_ ? sqlite3_errmsg(db_) : "no connection"; }

}  // namespace vigil::store::sqlite
