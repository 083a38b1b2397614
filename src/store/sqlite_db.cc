#include "sqlite_db.h"

#include <limits>
#include <utility>

namespace modelwatch::store::internal {
namespace {

StatusCode CodeFor(int rc) {
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
    case SQLITE_AUTH:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_NOMEM:
      return StatusCode::kResourceExhausted;
    case SQLITE_TOOBIG:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

Status SqliteError(int rc, sqlite3* db, std::string_view label) {
  // sqlite3_errmsg describes the latest failure on the connection, which is more specific
  // ("no such table: x") than the generic text for the code; it is only about `rc` when the
  // connection's latest error is `rc`.
  const bool specific = db != nullptr && sqlite3_extended_errcode(db) == rc;
  std::string message(label);
  message += ": ";
  message += specific ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += " (sqlite error " + std::to_string(rc) + ")";
  return Status(CodeFor(rc), std::move(message));
}

// ---------------------------------------------------------------------------------------------
// Stmt

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      label_(other.label_),
      bind_rc_(other.bind_rc_) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<bool> Stmt::Step() {
  if (bind_rc_ != SQLITE_OK) {
    const int rc = std::exchange(bind_rc_, SQLITE_OK);
    return SqliteError(rc, db_, *label_);
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, db_, *label_);
}

Status Stmt::Run() {
  while (true) {
    MW_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) break;
  }
  sqlite3_reset(stmt_);
  return Status::Ok();
}

std::string_view Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string_view Stmt::Blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

// ---------------------------------------------------------------------------------------------
// Connection

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int flags,
                                                     int busy_timeout_ms) {
  std::string label = "sqlite store '" + path + "'";
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(rc, db, label);
    sqlite3_close_v2(db);  // a handle is returned even on failure (null is fine)
    return status;
  }
  std::unique_ptr<Connection> conn(new Connection(db, std::move(label)));
  sqlite3_extended_result_codes(db, 1);
  const int busy_rc = sqlite3_busy_timeout(db, busy_timeout_ms);
  if (busy_rc != SQLITE_OK) return conn->Error(busy_rc);
  return conn;
}

Connection::~Connection() {
  cache_.clear();  // statements are finalized before the handle is closed
  sqlite3_close_v2(db_);
}

Result<Stmt> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return Error(rc);
    if (raw == nullptr) return InternalError(label_ + ": empty SQL statement");
    it = cache_.emplace(std::string(sql), raw).first;
  }
  return Stmt(it->second.get(), db_, &label_);
}

Status Connection::Exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc);
  return Status::Ok();
}

Result<std::string> Connection::QueryText(std::string_view sql) {
  MW_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql));
  MW_ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) return InternalError(label_ + ": no row from " + std::string(sql));
  return std::string(stmt.Text(0));
}

Result<int64_t> Connection::QueryInt64(std::string_view sql) {
  MW_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql));
  MW_ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) return InternalError(label_ + ": no row from " + std::string(sql));
  return stmt.Int64(0);
}

// ---------------------------------------------------------------------------------------------
// Transaction

Result<Transaction> Transaction::Begin(Connection& conn) {
  MW_ASSIGN_OR_RETURN(Stmt begin, conn.Prepare("BEGIN IMMEDIATE"));
  MW_RETURN_IF_ERROR(begin.Run());
  return Transaction(&conn);
}

Transaction::~Transaction() { Rollback(); }

Status Transaction::Commit() {
  if (conn_ == nullptr) return InternalError("transaction already finished");
  Result<Stmt> commit = conn_->Prepare("COMMIT");
  Status status = commit.ok() ? commit->Run() : commit.status();
  if (!status.ok()) {
    Rollback();
    return status;
  }
  conn_ = nullptr;
  return Status::Ok();
}

void Transaction::Rollback() {
  if (conn_ == nullptr) return;
  // SQLite may already have rolled back by itself (after SQLITE_FULL, SQLITE_IOERR, ...);
  // "ROLLBACK" outside a transaction would be an error of its own.
  if (conn_->InTransaction()) {
    Result<Stmt> rollback = conn_->Prepare("ROLLBACK");
    if (rollback.ok()) (void)rollback->Run();  // nothing better to do with a failed rollback
  }
  conn_ = nullptr;
}

}  // namespace modelwatch::store::internal
