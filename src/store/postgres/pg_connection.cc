#include "store/postgres/pg_connection.h"

#include <cstdlib>
#include <cstring>

#include "core/big_endian.h"
#include "store/store.h"

namespace vigil::store::pg {
namespace {

// PostgreSQL's type oids (pg_type.dat).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25;
constexpr Oid kTextArray = 1009, kInt8Array = 1016;

// Quotes an element of a text[] literal.
void AppendArrayElement(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

int64_t SignExtend(uint64_t value, int bytes) {
  const int shift = 64 - 8 * bytes;
  return static_cast<int64_t>(value << shift) >> shift;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

Params& Params::Add(Oid type, std::string value, int format) {
  storage_.push_back(std::move(value));
  types_.push_back(type);
  pointers_.push_back(storage_.back().data());
  lengths_.push_back(static_cast<int>(storage_.back().size()));
  formats_.push_back(format);
  return *this;
}

Params& Params::Text(std::string_view value) { return Add(kText, std::string(value), 1); }

Params& Params::Bytes(std::string_view value) { return Add(kBytea, std::string(value), 1); }

Params& Params::Int(int64_t value) {
  std::string bytes;
  PutBigEndian(bytes, static_cast<uint64_t>(value), 8);
  return Add(kInt8, std::move(bytes), 1);
}

Params& Params::TextArray(const std::vector<std::string_view>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    AppendArrayElement(literal, values[i]);
  }
  return Add(kTextArray, literal + "}", 0);
}

Params& Params::IntArray(const std::vector<int64_t>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += std::to_string(values[i]);
  }
  return Add(kInt8Array, literal + "}", 0);
}

std::string_view Rows::View(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

int64_t Rows::Int(int row, int column) const {
  std::string_view bytes = View(row, column);
  const int width = static_cast<int>(bytes.size());
  uint64_t value = 0;
  switch (PQftype(result_.get(), column)) {
    case kInt8:
    case kInt4:
    case kInt2:
    case kBool:
      if (!ReadBigEndian(bytes, width, value)) return 0;
      return SignExtend(value, width);
    default:
      return 0;  // NULL or a type this layer does not read as an integer
  }
}

int64_t Rows::affected() const { return std::strtoll(PQcmdTuples(result_.get()), nullptr, 10); }

CopyRows::CopyRows() {
  data_.assign("PGCOPY\n\377\r\n\0", 11);
  PutBigEndian(data_, 0, 4);  // flags
  PutBigEndian(data_, 0, 4);  // header extension length
}

CopyRows& CopyRows::Row(int16_t fields) {
  PutBigEndian(data_, static_cast<uint16_t>(fields), 2);
  ++rows_;
  return *this;
}

CopyRows& CopyRows::Text(std::string_view value) {
  PutBigEndian(data_, static_cast<uint32_t>(value.size()), 4);
  data_.append(value);
  return *this;
}

CopyRows& CopyRows::Int(int64_t value) {
  PutBigEndian(data_, 8, 4);
  PutBigEndian(data_, static_cast<uint64_t>(value), 8);
  return *this;
}

CopyRows& CopyRows::Null() {
  PutBigEndian(data_, 0xffffffffu, 4);
  return *this;
}

std::string CopyRows::Finish() const {
  std::string out = data_;
  PutBigEndian(out, 0xffff, 2);  // the trailer: a field count of -1
  return out;
}

namespace {

// libpq's message on one line (it ends lines, and indents hints on the next).
std::string OneLine(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  for (size_t at = message.find("\n"); at != std::string::npos; at = message.find("\n", at)) {
    size_t end = at + 1;
    while (end < message.size() && (message[end] == '\t' || message[end] == ' ')) ++end;
    message.replace(at, end - at, "; ");
  }
  return message;
}

}  // namespace

Status ErrorOf(PGconn* conn, const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = OneLine(result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  const std::string text = std::string(what) + message;
  const std::string_view code = state ? state : "";
  if (code == "23505") return Status::AlreadyExists(text);
  if (code.starts_with("23")) return Status::FailedPrecondition(text);
  if (code == "40001" || code == "40P01") return Status::Aborted(text);
  if (code == "53100") return Status::ResourceExhausted(text + " (the database's disk is full)");
  if (code.empty() || code.starts_with("08") || code.starts_with("57P") || code == "25006" ||
      PQstatus(conn) != CONNECTION_OK) {
    return Status::Unavailable(text + " (the database cannot be reached or is not writable)");
  }
  return Status::IoError(text);
}

Connection::~Connection() { PQfinish(conn_); }

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  // Defaults first, so that what the URL says wins (expand_dbname: later values override).
  const char* keywords[] = {"connect_timeout",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "application_name",
                            "dbname",
                            nullptr};
  const char* values[] = {"5", "10", "5", "3", "vigil", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::ResourceExhausted("out of memory connecting to PostgreSQL");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to PostgreSQL at " + RedactedStoreUrl(url) + ": " +
                               message);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Status Connection::Check(const PGresult* result, std::string_view what) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::Ok();
  return ErrorOf(conn_, result, what);
}

Status Connection::Exec(std::string_view sql) {
  Rows result(PQexec(conn_, std::string(sql).c_str()));
  return Check(result.Raw(), "");
}

Result<Rows> Connection::Query(const std::string& sql, const Params& params) {
  auto [it, fresh] = prepared_.try_emplace(sql, "v" + std::to_string(prepared_.size()));
  if (fresh) {
    Rows prepared(PQprepare(conn_, it->second.c_str(), sql.c_str(), params.size(), params.types()));
    if (Status s = Check(prepared.Raw(), "preparing SQL: "); !s.ok()) {
      prepared_.erase(it);
      return s;
    }
  }
  Rows rows(PQexecPrepared(conn_, it->second.c_str(), params.size(), params.values(),
                           params.lengths(), params.formats(), /*resultFormat=*/1));
  VIGIL_RETURN_IF_ERROR(Check(rows.Raw(), ""));
  return rows;
}

Status Connection::Run(const std::string& sql, const Params& params) {
  return Query(sql, params).status();
}

Status Connection::RunChanging(const std::string& sql, const Params& params,
                               const std::string& missing) {
  VIGIL_ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  if (rows.affected() == 0) return Status::NotFound(missing);
  return Status::Ok();
}

Status Connection::Copy(std::string_view table_and_columns, const CopyRows& rows) {
  const std::string sql = "COPY " + std::string(table_and_columns) + " FROM STDIN (FORMAT binary)";
  {
    Rows started(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(started.Raw()) != PGRES_COPY_IN) return Check(started.Raw(), "COPY: ");
  }
  const std::string data = rows.Finish();
  const bool sent = PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) == 1 &&
                    PQputCopyEnd(conn_, nullptr) == 1;
  Status status = sent ? Status::Ok() : ErrorOf(conn_, nullptr, "COPY: ");
  while (PGresult* result = PQgetResult(conn_)) {
    Rows finished(result);
    if (status.ok()) status = Check(result, "COPY: ");
  }
  return status;
}

bool Connection::healthy() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

Result<Pool::Lease> Pool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(auto conn, Connection::Open(url_));
  return Lease(*this, std::move(conn));
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  if (!conn->healthy()) return;  // lost, or left inside a transaction: closed
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(conn));
}

}  // namespace vigil::store::pg
