#include "schema.h"

#include <cassert>
#include <string>

namespace modelwatch::store::internal {
namespace {

// Version 1. STRICT tables: SQLite enforces the declared types. `label` columns are ANY: a
// number is stored as REAL, a boolean as INTEGER 0/1 and a string as TEXT, so the column stays
// readable with the sqlite3 shell; NULL means "no label yet".
constexpr const char kSchemaV1[] = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY NOT NULL,
  value ANY NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE predictions(
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  version TEXT NOT NULL,
  ts_us INTEGER NOT NULL,
  received_us INTEGER NOT NULL,
  label ANY,
  label_received_us INTEGER NOT NULL DEFAULT 0,
  payload BLOB NOT NULL,
  UNIQUE (model, id)
) STRICT;
CREATE INDEX predictions_by_time ON predictions(model, ts_us);

CREATE TABLE pending_labels(
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  label ANY NOT NULL,
  ts_us INTEGER NOT NULL,
  received_us INTEGER NOT NULL,
  PRIMARY KEY (model, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX pending_labels_by_received ON pending_labels(received_us);

CREATE TABLE windows(
  model TEXT NOT NULL,
  version TEXT NOT NULL,
  segment TEXT NOT NULL,
  width_s INTEGER NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  closed INTEGER NOT NULL,
  summary TEXT NOT NULL,
  updated_us INTEGER NOT NULL,
  PRIMARY KEY (model, version, segment, width_s, start_us)
) STRICT;

CREATE TABLE models(
  model TEXT NOT NULL,
  version TEXT NOT NULL,
  first_seen_us INTEGER NOT NULL,
  last_seen_us INTEGER NOT NULL,
  predictions INTEGER NOT NULL,
  labels INTEGER NOT NULL,
  PRIMARY KEY (model, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE counters(
  name TEXT NOT NULL,
  labels TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (name, labels)
) STRICT, WITHOUT ROWID;
)sql";

// Version 2: the monitor's incremental window states (windows.state, WindowState bytes; NULL
// for windows written by version 1) and the journal of label changes since the monitor's last
// checkpoint (meta keys 'monitor_prediction_rowid' and 'monitor_label_seq', written with the
// states). AUTOINCREMENT: a journal seq is never reused, even after the journal is trimmed.
constexpr const char kSchemaV2[] = R"sql(
ALTER TABLE windows ADD COLUMN state BLOB;

CREATE TABLE label_journal(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  prediction_rowid INTEGER NOT NULL,
  old_label ANY,
  old_label_received_us INTEGER NOT NULL,
  new_label ANY NOT NULL,
  new_label_received_us INTEGER NOT NULL
) STRICT;
)sql";

// Version 3: resource time series of the daemon's targets (and of the host, target 'host'), one
// JSON object per target and sampling round. Keyed by time first: a round's rows are appended
// together to the same pages (keyed by target, every round would touch one page per target),
// retention deletes a key range, and a query for one target scans the rounds of its time range.
constexpr const char kSchemaV3[] = R"sql(
CREATE TABLE resource_samples(
  ts_us INTEGER NOT NULL,
  target TEXT NOT NULL,
  sample TEXT NOT NULL,
  PRIMARY KEY (ts_us, target)
) STRICT, WITHOUT ROWID;
)sql";

// Version 4: predictions indexed by (model, event-time minute) instead of (model, ts_us). Events
// of one batch with times spread over the last hour inserted 1000 keys at random places of the
// (model, ts_us) index, dirtying about one index page each, and every dirty page is written to
// the WAL at commit: the minute index takes them into about 60 places, each appended to (rowids
// grow), and SQLite sorts one minute's rows by ts_us when a scan asks for them in time order.
constexpr const char kSchemaV4[] = R"sql(
DROP INDEX predictions_by_time;
CREATE INDEX predictions_by_minute ON predictions(model, )sql" MW_PREDICTION_MINUTE_SQL R"sql();
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
};

Result<int64_t> StoredVersion(Connection& conn) {
  MW_ASSIGN_OR_RETURN(Stmt stmt,
                      conn.Prepare("SELECT value FROM meta WHERE key = 'schema_version'"));
  MW_ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row || stmt.Type(0) != SQLITE_INTEGER || stmt.Int64(0) < 1) {
    return DataLossError(conn.label() + ": meta table has no valid schema_version");
  }
  return stmt.Int64(0);
}

}  // namespace

std::span<const Migration> StoreMigrations() { return kMigrations; }

int64_t LatestSchemaVersion() { return StoreMigrations().back().version; }

Result<int64_t> ReadSchemaVersion(Connection& conn) {
  // The first read of the file: a file that is not a SQLite database fails here (kDataLoss).
  MW_ASSIGN_OR_RETURN(const int64_t app_id, conn.QueryInt64("PRAGMA application_id"));
  MW_ASSIGN_OR_RETURN(const int64_t objects, conn.QueryInt64("SELECT count(*) FROM sqlite_schema"));
  if (app_id == kApplicationId) return StoredVersion(conn);
  if (app_id == 0 && objects == 0) return 0;
  return DataLossError(conn.label() + ": not a modelwatch database (application id " +
                       std::to_string(app_id) + ", " + std::to_string(objects) +
                       " schema objects); refusing to touch it");
}

Result<int64_t> Migrate(Connection& conn, std::span<const Migration> migrations) {
  assert(!migrations.empty());
  const int64_t latest = migrations.back().version;
  MW_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  MW_ASSIGN_OR_RETURN(const int64_t current, ReadSchemaVersion(conn));
  if (current > latest) {
    return FailedPreconditionError(conn.label() + ": database schema version " +
                                   std::to_string(current) +
                                   " is newer than this build supports (" + std::to_string(latest) +
                                   "); use a newer modelwatch");
  }
  if (current == latest) return current;  // nothing to write; the transaction rolls back
  if (current == 0) {
    MW_RETURN_IF_ERROR(
        conn.Exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str()));
  }
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& step = migrations[i];
    assert(step.version == static_cast<int64_t>(i) + 1);
    if (step.version <= current) continue;
    Status status = conn.Exec(step.sql);
    if (!status.ok()) {
      return status.WithPrefix("migration to schema version " + std::to_string(step.version));
    }
  }
  MW_ASSIGN_OR_RETURN(Stmt set, conn.Prepare("INSERT INTO meta(key, value) VALUES "
                                             "('schema_version', ?1) ON CONFLICT(key) DO UPDATE "
                                             "SET value = excluded.value"));
  set.BindInt64(1, latest);
  MW_RETURN_IF_ERROR(set.Run());
  MW_RETURN_IF_ERROR(txn.Commit());
  return latest;
}

}  // namespace modelwatch::store::internal
