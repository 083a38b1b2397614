// A thin RAII layer over the SQLite C API, private to the SQLite store: a connection that caches
// its prepared statements, a statement handle that resets itself, a write transaction that rolls
// back unless committed, and the mapping from SQLite result codes to Status.
//
// Thread safety: none. A Connection and everything taken from it are used by one thread at a
// time; the store serializes access with its own mutexes (connections are opened with
// SQLITE_OPEN_NOMUTEX, so SQLite adds no locking of its own).
//
// Errors: every failure is a Status whose message starts with the connection's label
// ("sqlite store '/var/lib/mw.db'") and ends with SQLite's own message and extended code.
// Codes: kUnavailable for I/O, locking, permission, full-disk and open failures; kDataLoss for a
// corrupt file or one that is not a SQLite database; kResourceExhausted for out-of-memory;
// kInvalidArgument for a string or blob over SQLite's size limit; kInternal otherwise (a SQL or
// usage bug of ours).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch::store::internal {

// The Status for SQLite result code `rc` on `db` (may be null): "<label>: <SQLite's message>
// (sqlite error <extended code>)".
Status SqliteError(int rc, sqlite3* db, std::string_view label);

// A cached prepared statement in use. Binds parameters, steps, reads columns of the current row.
// The statement is reset (and its bindings cleared) when the Stmt is destroyed, so the cached
// statement can be taken again and holds no read snapshot open. Bind errors (a value over
// SQLite's length limit) are remembered and reported by the next Step or Run. Strings and blobs
// are bound without copying: they must stay alive until the statement is reset.
// Column views (Text, Blob) are valid until the next Step, Reset or destruction.
class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, sqlite3* db, const std::string* label)
      : stmt_(stmt), db_(db), label_(label) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Parameters are numbered from 1 (SQL "?1").
  void BindInt64(int index, int64_t v) { Check(sqlite3_bind_int64(stmt_, index, v)); }
  void BindDouble(int index, double v) { Check(sqlite3_bind_double(stmt_, index, v)); }
  void BindNull(int index) { Check(sqlite3_bind_null(stmt_, index)); }
  void BindText(int index, std::string_view v) {
    Check(sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  void BindBlob(int index, std::string_view v) {
    Check(sqlite3_bind_blob64(stmt_, index, v.data(), v.size(), SQLITE_STATIC));
  }

  // Advances to the next row: true when there is one, false when the statement is done.
  Result<bool> Step();
  // Steps to completion (any rows are discarded) and resets, ready to be bound again.
  Status Run();
  // Resets to run again; bindings are kept.
  void Reset() { sqlite3_reset(stmt_); }

  // Columns of the current row, numbered from 0.
  int Type(int col) const { return sqlite3_column_type(stmt_, col); }
  int64_t Int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string_view Text(int col) const;
  std::string_view Blob(int col) const;

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3_stmt* stmt_;
  sqlite3* db_;
  const std::string* label_;  // the connection's, for messages
  int bind_rc_ = SQLITE_OK;
};

// One SQLite connection and its statement cache. Owns the sqlite3 handle and the statements.
class Connection {
 public:
  // Opens `path` with `flags` (SQLITE_OPEN_*; NOMUTEX is added), extended result codes on and
  // the given busy timeout. kUnavailable when SQLite cannot open the file.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags,
                                                  int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The statement for `sql` (one SQL statement), prepared on first use and cached for the life
  // of the connection. A given SQL text must not be taken twice at the same time.
  Result<Stmt> Prepare(std::string_view sql);
  // Runs one or more SQL statements without caching (schema changes, pragmas).
  Status Exec(const char* sql);
  // Runs a query that returns a single text value (e.g. "PRAGMA journal_mode=WAL").
  Result<std::string> QueryText(std::string_view sql);
  // Runs a query that returns a single integer value.
  Result<int64_t> QueryInt64(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE, and the rowid of the last insert.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // True when SQLite opened the database read-only (e.g. the file is not writable).
  bool ReadOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }

  // "sqlite store '<path>'": the prefix of every message about this connection.
  const std::string& label() const { return label_; }
  Status Error(int rc) const { return SqliteError(rc, db_, label_); }

 private:
  struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };

  Connection(sqlite3* db, std::string label) : db_(db), label_(std::move(label)) {}

  sqlite3* db_;
  std::string label_;
  std::map<std::string, std::unique_ptr<sqlite3_stmt, StmtDeleter>, std::less<>> cache_;
};

// A write transaction (BEGIN IMMEDIATE: takes the write lock up front, so a busy database waits
// for busy_timeout once instead of failing at the first write). Rolls back when destroyed
// uncommitted. The connection must outlive it.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  // Commits; on failure the transaction is rolled back and nothing is written.
  Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  void Rollback();

  Connection* conn_;  // null once committed or rolled back
};

}  // namespace modelwatch::store::internal
