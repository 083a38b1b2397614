// The SQLite implementation of Store (contract in include/modelwatch/store/store.h, tables and
// durability in docs/storage.md).
//
// Connections to one WAL database: a writer, used by every write under write_mu_, and a pool of
// readers (query_only) for Windows, Models, Counters and ScanPredictions, one per read in
// progress, so reads see a committed snapshot and neither readers nor the writer wait for each
// other. ":memory:" has no file a second connection could share: there the writer serves reads
// as well, under write_mu_.
//
// Every write call is one BEGIN IMMEDIATE ... COMMIT on cached prepared statements. Prediction
// payloads are encoded before the write lock is taken, so concurrent callers encode in parallel
// and the lock covers SQLite work alone. With Sync::kFull the WAL is synced after the lock is
// released (WalSync): the next call commits while the previous one waits for the disk, and
// callers that committed meanwhile share one fdatasync.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "event_codec.h"
#include "modelwatch/core/byte_codec.h"
#include "modelwatch/store/store.h"
#include "schema.h"
#include "sqlite_db.h"
#include "thread_annotations.h"
#include "wal_sync.h"

namespace modelwatch::store {
namespace {

using internal::Connection;
using internal::MutexLock;
using internal::Stmt;
using internal::Transaction;

// ---------------------------------------------------------------------------------------------
// SQL. Column lists of a stored prediction row are shared by the scan and the label join, so
// one function (ReadStoredPrediction) reads both.

#define MW_PREDICTION_COLUMNS \
  "id, version, ts_us, received_us, label, label_received_us, payload, rowid"

// Predictions are inserted up to kMaxChunkRows per statement: one multi-row INSERT costs SQLite
// much less per row than one statement per row (docs/storage.md has the numbers). Chunks are
// powers of two, so at most 7 statement shapes are prepared and cached.
constexpr size_t kMaxChunkRows = 64;
constexpr int kInsertColumns = 8;
constexpr char kMaxPredictionRowid[] = "SELECT coalesce(max(rowid), 0) FROM predictions";
constexpr char kInsertedSince[] =
    "SELECT model, id FROM predictions WHERE rowid > ?1 ORDER BY rowid";
constexpr char kLabelsWaitFor[] = "SELECT EXISTS (SELECT 1 FROM pending_labels WHERE model = ?1)";
constexpr char kTakePendingLabel[] =
    "DELETE FROM pending_labels WHERE model = ?1 AND id = ?2 RETURNING label, received_us";
constexpr char kSetLabel[] =
    "UPDATE predictions SET label = ?1, label_received_us = ?2 WHERE rowid = ?3";
constexpr char kFindPrediction[] =
    "SELECT " MW_PREDICTION_COLUMNS " FROM predictions WHERE model = ?1 AND id = ?2";
constexpr int kReceivedColumn = 3;
constexpr int kLabelColumn = 4;
constexpr int kLabelReceivedColumn = 5;
constexpr int kRowidColumn = 7;
constexpr char kJournalLabel[] =
    "INSERT INTO label_journal(prediction_rowid, old_label, old_label_received_us, new_label, "
    "new_label_received_us) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char kScanAfter[] =
    "SELECT " MW_PREDICTION_COLUMNS ", model FROM predictions WHERE rowid > ?1 ORDER BY rowid";
constexpr int kScanAfterModelColumn = 8;
// The prediction columns (as MW_PREDICTION_COLUMNS, qualified), its model, then the change.
constexpr char kJournalAfter[] =
    "SELECT p.id, p.version, p.ts_us, p.received_us, p.label, p.label_received_us, p.payload, "
    "p.rowid, p.model, j.seq, j.old_label, j.old_label_received_us, j.new_label, "
    "j.new_label_received_us FROM label_journal j JOIN predictions p ON p.rowid = "
    "j.prediction_rowid WHERE j.seq > ?1 ORDER BY j.seq";
constexpr char kLastJournalSeq[] =
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'label_journal'), 0)";
constexpr char kTrimJournal[] = "DELETE FROM label_journal WHERE seq <= ?1";
constexpr char kCheckpoint[] =
    "SELECT key, value FROM meta WHERE key IN ('monitor_prediction_rowid', 'monitor_label_seq')";
constexpr char kPutMeta[] =
    "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = "
    "excluded.value";
constexpr char kPutPendingLabel[] =
    "INSERT INTO pending_labels(model, id, label, ts_us, received_us) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(model, id) DO UPDATE SET label = excluded.label, ts_us = excluded.ts_us, "
    "received_us = excluded.received_us";
constexpr char kAddModelPredictions[] =
    "INSERT INTO models(model, version, first_seen_us, last_seen_us, predictions, labels) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(model, version) DO UPDATE SET "
    "first_seen_us = min(first_seen_us, excluded.first_seen_us), "
    "last_seen_us = max(last_seen_us, excluded.last_seen_us), "
    "predictions = predictions + excluded.predictions, labels = labels + excluded.labels";
constexpr char kAddModelLabels[] =
    "UPDATE models SET labels = labels + ?3 WHERE model = ?1 AND version = ?2";
// Scans go minute by minute through the (model, minute) index (schema version 4): the first
// minute in [?2, ?3] that holds a row of the model, then that minute's rows in time order
// (SQLite sorts them).
constexpr char kNextScanMinute[] =
    "SELECT " MW_PREDICTION_MINUTE_SQL " FROM predictions WHERE model = ?1 AND "
    MW_PREDICTION_MINUTE_SQL " >= ?2 AND " MW_PREDICTION_MINUTE_SQL " <= ?3 ORDER BY "
    MW_PREDICTION_MINUTE_SQL " LIMIT 1";
constexpr char kScanMinuteAllVersions[] =
    "SELECT " MW_PREDICTION_COLUMNS " FROM predictions WHERE model = ?1 AND "
    MW_PREDICTION_MINUTE_SQL " = ?4 AND ts_us >= ?2 AND ts_us < ?3 ORDER BY ts_us, rowid";
constexpr char kScanMinuteOneVersion[] =
    "SELECT " MW_PREDICTION_COLUMNS " FROM predictions WHERE model = ?1 AND "
    MW_PREDICTION_MINUTE_SQL " = ?4 AND ts_us >= ?2 AND ts_us < ?3 AND version = ?5 "
    "ORDER BY ts_us, rowid";
constexpr char kPutWindow[] =
    "INSERT INTO windows(model, version, segment, width_s, start_us, end_us, closed, summary, "
    "updated_us, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT(model, version, segment, width_s, start_us) DO UPDATE SET "
    "end_us = excluded.end_us, closed = excluded.closed, summary = excluded.summary, "
    "updated_us = excluded.updated_us, state = excluded.state";
constexpr char kModels[] =
    "SELECT model, version, first_seen_us, last_seen_us, predictions, labels FROM models "
    "ORDER BY model, version";
constexpr char kPutCounter[] =
    "INSERT INTO counters(name, labels, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(name, labels) DO UPDATE SET value = excluded.value";
constexpr char kCounters[] = "SELECT name, labels, value FROM counters ORDER BY name, labels";
constexpr char kPutResourceSample[] =
    "INSERT OR REPLACE INTO resource_samples(target, ts_us, sample) VALUES (?1, ?2, ?3)";
constexpr char kResourceSamples[] =
    "SELECT ts_us, sample FROM resource_samples WHERE ts_us >= ?2 AND ts_us < ?3 AND target = ?1 "
    "ORDER BY ts_us LIMIT ?4";
constexpr char kExpireResourceSamples[] = "DELETE FROM resource_samples WHERE ts_us < ?1";
// Keys from ?1 (inclusive) up to ?1 followed by the largest byte: every key with the prefix.
constexpr char kMetaTexts[] =
    "SELECT key, value FROM meta WHERE key >= ?1 AND key < ?1 || char(1114111) AND "
    "typeof(value) = 'text' ORDER BY key";
constexpr char kModelNames[] = "SELECT DISTINCT model FROM models";
// Per model and up to the minute of ?2 (?4), so the (model, minute) index finds the rows. The
// newest row stays: SQLite gives a new row max(rowid) + 1, so deleting the newest would let the
// next insert reuse its rowid, and the monitor's checkpoint counts on rowids that only grow.
constexpr char kExpirePredictions[] =
    "DELETE FROM predictions WHERE model = ?1 AND " MW_PREDICTION_MINUTE_SQL
    " <= ?4 AND ts_us < ?2 AND rowid < ?3";
// The cumulative views (width 0) are never expired: they hold everything since first seen.
constexpr char kExpireWindows[] = "DELETE FROM windows WHERE end_us < ?1 AND width_s > 0";
constexpr char kExpireLabels[] = "DELETE FROM pending_labels WHERE received_us < ?1";

#undef MW_PREDICTION_COLUMNS

// ---------------------------------------------------------------------------------------------
// Values

// A label column: NULL (no label), REAL (number), INTEGER 0/1 (boolean) or TEXT (string).
void BindLabel(Stmt& stmt, int index, const EventValue& v) {
  switch (v.kind) {
    case EventValue::Kind::kNull:
      stmt.BindNull(index);
      return;
    case EventValue::Kind::kNumber:
      stmt.BindDouble(index, v.number);
      return;
    case EventValue::Kind::kBool:
      stmt.BindInt64(index, v.boolean ? 1 : 0);
      return;
    case EventValue::Kind::kString:
      stmt.BindText(index, v.text);
      return;
  }
}

Status ReadLabel(const Stmt& stmt, int col, EventValue& out) {
  out.number = 0;
  out.boolean = false;
  out.text.clear();
  switch (stmt.Type(col)) {
    case SQLITE_NULL:
      out.kind = EventValue::Kind::kNull;
      return Status::Ok();
    case SQLITE_FLOAT:
      out.kind = EventValue::Kind::kNumber;
      out.number = stmt.Double(col);
      return Status::Ok();
    case SQLITE_INTEGER:
      if (stmt.Int64(col) != 0 && stmt.Int64(col) != 1) break;
      out.kind = EventValue::Kind::kBool;
      out.boolean = stmt.Int64(col) == 1;
      return Status::Ok();
    case SQLITE_TEXT:
      out.kind = EventValue::Kind::kString;
      out.text.assign(stmt.Text(col));
      return Status::Ok();
    default:
      break;
  }
  return DataLossError("label column holds a value of SQLite type " +
                       std::to_string(stmt.Type(col)) + " that no label is stored as");
}

// Reads a row of MW_PREDICTION_COLUMNS into `p` (whose event.model the caller sets), reusing
// its capacity.
Status ReadStoredPrediction(const Stmt& row, StoredPrediction& p) {
  PredictionEvent& e = p.event;
  e.id.assign(row.Text(0));
  e.version.assign(row.Text(1));
  e.ts_us = row.Int64(2);
  p.received_us = row.Int64(kReceivedColumn);
  p.label_received_us = row.Int64(kLabelReceivedColumn);
  p.rowid = row.Int64(kRowidColumn);
  Status status = ReadLabel(row, kLabelColumn, e.label);
  if (status.ok()) status = internal::DecodePredictionPayload(row.Blob(6), e);
  if (!status.ok())
    return status.WithPrefix("prediction '" + e.id + "' of model '" + e.model + "'");
  return Status::Ok();
}

int64_t ClampToInt64(uint64_t v) {
  return v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
             ? std::numeric_limits<int64_t>::max()
             : static_cast<int64_t>(v);
}

// `status` with "where: " before its message (unchanged when OK or `where` is empty).
Status Prefixed(const Status& status, std::string_view where) {
  return where.empty() ? status : status.WithPrefix(where);
}

template <typename T>
Result<T> Prefixed(Result<T> result, std::string_view where) {
  if (result.ok()) return result;
  return Prefixed(result.status(), where);
}

// ---------------------------------------------------------------------------------------------
// Validation: only what the store could not keep faithfully (keys, a NaN label that SQLite would
// turn into "no label"); the ingest layer validates the rest.

bool IsNaN(const EventValue& v) {
  return v.kind == EventValue::Kind::kNumber && std::isnan(v.number);
}

Status ValidatePredictions(std::span<const PredictionEvent> events) {
  for (size_t i = 0; i < events.size(); ++i) {
    const PredictionEvent& e = events[i];
    const char* problem = e.model.empty()  ? " has no model"
                          : e.id.empty()   ? " has no id"
                          : IsNaN(e.label) ? " has a NaN label"
                                           : nullptr;
    if (problem != nullptr) {
      return InvalidArgumentError("AppendPredictions: prediction " + std::to_string(i) + problem);
    }
  }
  return Status::Ok();
}

Status ValidateLabels(std::span<const LabelEvent> labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    const LabelEvent& l = labels[i];
    const char* problem = l.model.empty()     ? " has no model"
                          : l.id.empty()      ? " has no id"
                          : l.label.is_null() ? " has a null label"
                          : IsNaN(l.label)    ? " has a NaN label"
                                              : nullptr;
    if (problem != nullptr) {
      return InvalidArgumentError("AppendLabels: label " + std::to_string(i) + problem);
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Per-call model registry changes, applied once per (model, version) at the end of the call.

struct ModelDelta {
  std::string model;
  std::string version;
  int64_t first_seen_us = std::numeric_limits<int64_t>::max();
  int64_t last_seen_us = std::numeric_limits<int64_t>::min();
  uint64_t predictions = 0;
  uint64_t labels = 0;

  void AddPrediction(int64_t ts_us) {
    ++predictions;
    first_seen_us = std::min(first_seen_us, ts_us);
    last_seen_us = std::max(last_seen_us, ts_us);
  }
};

class ModelDeltas {
 public:
  // The delta of (model, version), created empty on first use. A batch usually holds one or two
  // (model, version)s, so a linear search that starts at the last hit beats hashing.
  ModelDelta& For(std::string_view model, std::string_view version) {
    if (last_ < deltas_.size() && deltas_[last_].model == model &&
        deltas_[last_].version == version) {
      return deltas_[last_];
    }
    for (last_ = 0; last_ < deltas_.size(); ++last_) {
      if (deltas_[last_].model == model && deltas_[last_].version == version) {
        return deltas_[last_];
      }
    }
    ModelDelta& d = deltas_.emplace_back();
    d.model.assign(model);
    d.version.assign(version);
    return d;
  }

  // Adds the deltas to the models table.
  Status Apply(Connection& conn) const {
    for (const ModelDelta& d : deltas_) {
      if (d.predictions > 0) {
        MW_ASSIGN_OR_RETURN(Stmt add, conn.Prepare(kAddModelPredictions));
        add.BindText(1, d.model);
        add.BindText(2, d.version);
        add.BindInt64(3, d.first_seen_us);
        add.BindInt64(4, d.last_seen_us);
        add.BindInt64(5, static_cast<int64_t>(d.predictions));
        add.BindInt64(6, static_cast<int64_t>(d.labels));
        MW_RETURN_IF_ERROR(add.Run());
      } else if (d.labels > 0) {
        MW_ASSIGN_OR_RETURN(Stmt add, conn.Prepare(kAddModelLabels));
        add.BindText(1, d.model);
        add.BindText(2, d.version);
        add.BindInt64(3, static_cast<int64_t>(d.labels));
        MW_RETURN_IF_ERROR(add.Run());
      }
    }
    return Status::Ok();
  }

 private:
  std::vector<ModelDelta> deltas_;
  size_t last_ = 0;
};

// The payloads of a batch, encoded back to back in one buffer.
class EncodedPayloads {
 public:
  explicit EncodedPayloads(std::span<const PredictionEvent> events) {
    ends_.reserve(events.size());
    for (const PredictionEvent& e : events) {
      internal::AppendPredictionPayload(e, writer_);
      ends_.push_back(writer_.size());
    }
  }
  std::string_view at(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(writer_.bytes()).substr(begin, ends_[i] - begin);
  }

 private:
  ByteWriter writer_;
  std::vector<size_t> ends_;
};

// The SQL of a window query: filters for the fields the query sets, so each shape has its own
// cached statement and the primary key serves as many of them as it can.
std::string WindowQuerySql(const WindowQuery& q) {
  std::string sql =
      "SELECT model, version, segment, width_s, start_us, end_us, closed, summary, updated_us";
  sql += q.with_state ? ", state" : "";
  sql += " FROM windows WHERE model = ?1";
  if (q.version) sql += " AND version = ?2";
  if (q.segment) sql += " AND segment = ?3";
  if (q.width_s) sql += " AND width_s = ?4";
  sql +=
      " AND start_us >= ?5 AND start_us < ?6 ORDER BY model, version, segment, width_s, start_us "
      "LIMIT ?7";
  return sql;
}

// ---------------------------------------------------------------------------------------------
// Multi-row prediction inserts

// The largest power of two <= min(remaining, kMaxChunkRows).
size_t ChunkRows(size_t remaining) {
  size_t rows = kMaxChunkRows;
  while (rows > remaining) rows /= 2;
  return rows;
}

// "INSERT ... VALUES (?1, ..., ?8), (?9, ...) ... ON CONFLICT(model, id) DO NOTHING" for `rows`
// rows (a power of two <= kMaxChunkRows), built once.
std::string_view InsertSql(size_t rows) {
  static const std::vector<std::string>* const kSql = [] {
    auto* sql = new std::vector<std::string>(kMaxChunkRows + 1);
    for (size_t n = 1; n <= kMaxChunkRows; n *= 2) {
      std::string& s = (*sql)[n];
      s = "INSERT INTO predictions(model, id, version, ts_us, received_us, label, "
          "label_received_us, payload) VALUES ";
      for (size_t r = 0; r < n; ++r) {
        s += r == 0 ? "(" : ", (";
        for (int c = 1; c <= kInsertColumns; ++c) {
          s += "?" + std::to_string(r * kInsertColumns + c);
          s += c < kInsertColumns ? ", " : ")";
        }
      }
      s += " ON CONFLICT(model, id) DO NOTHING";
    }
    return sql;
  }();
  return (*kSql)[rows];
}

// A prediction of the call that was inserted (not a duplicate), and its rowid.
struct InsertedRow {
  size_t index;  // in the call's events
  int64_t rowid;
};

// Inserts events[begin, begin + rows) with one statement and appends the inserted ones to
// `inserted`, in order. `max_rowid` is the largest rowid in the table; it is advanced.
//
// ON CONFLICT DO NOTHING skips duplicates silently, so which rows went in is worked out from
// rowids: SQLite gives a new row of a rowid table the largest rowid + 1, and the rows of a
// multi-row INSERT go in in VALUES order, so the k inserted rows have rowids max_rowid + 1 ..
// max_rowid + k in the order of their events (checked: the last one must be max_rowid + k).
// When some rows were duplicates (a retry: rare), the inserted (model, id)s are read back and
// matched in order.
Status InsertChunk(Connection& conn, std::span<const PredictionEvent> events,
                   const EncodedPayloads& payloads, size_t begin, size_t rows, int64_t received_us,
                   int64_t& max_rowid, std::vector<InsertedRow>& inserted) {
  MW_ASSIGN_OR_RETURN(Stmt insert, conn.Prepare(InsertSql(rows)));
  for (size_t r = 0; r < rows; ++r) {
    const PredictionEvent& e = events[begin + r];
    const int base = static_cast<int>(r) * kInsertColumns;
    insert.BindText(base + 1, e.model);
    insert.BindText(base + 2, e.id);
    insert.BindText(base + 3, e.version);
    insert.BindInt64(base + 4, e.ts_us);
    insert.BindInt64(base + 5, received_us);
    BindLabel(insert, base + 6, e.label);
    insert.BindInt64(base + 7, e.label.is_null() ? 0 : received_us);
    insert.BindBlob(base + 8, payloads.at(begin + r));
  }
  MW_RETURN_IF_ERROR(insert.Run());
  const auto changed = static_cast<size_t>(conn.Changes());
  if (changed == 0) return Status::Ok();
  if (conn.LastInsertRowid() != max_rowid + static_cast<int64_t>(changed)) {
    return InternalError(conn.label() + ": unexpected rowids: " + std::to_string(changed) +
                         " rows inserted after rowid " + std::to_string(max_rowid) +
                         ", the last has rowid " + std::to_string(conn.LastInsertRowid()));
  }
  if (changed == rows) {
    for (size_t r = 0; r < rows; ++r) {
      inserted.push_back({begin + r, max_rowid + 1 + static_cast<int64_t>(r)});
    }
  } else {
    MW_ASSIGN_OR_RETURN(Stmt since, conn.Prepare(kInsertedSince));
    since.BindInt64(1, max_rowid);
    int64_t rowid = max_rowid;
    MW_ASSIGN_OR_RETURN(bool more, since.Step());
    // A duplicate never equals the next inserted row: its (model, id) existed before that row
    // went in, and the inserted row's did not.
    for (size_t r = 0; r < rows && more; ++r) {
      const PredictionEvent& e = events[begin + r];
      if (since.Text(0) != e.model || since.Text(1) != e.id) continue;
      inserted.push_back({begin + r, ++rowid});
      MW_ASSIGN_OR_RETURN(more, since.Step());
    }
    if (rowid != max_rowid + static_cast<int64_t>(changed)) {
      return InternalError(conn.label() + ": inserted rows do not match their events");
    }
  }
  max_rowid += static_cast<int64_t>(changed);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------

// Read connections (query_only) to a database file. Each read takes one for its duration;
// connections are opened on demand, so concurrent reads never wait for each other, and up to
// kMaxIdle are kept with their prepared statements for the next reads.
class ReaderPool {
 public:
  explicit ReaderPool(SqliteOptions options) : options_(std::move(options)) {}

  Result<std::unique_ptr<Connection>> Acquire() MW_EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      if (!idle_.empty()) {
        std::unique_ptr<Connection> conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
    }
    MW_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> conn,
        Connection::Open(options_.path, SQLITE_OPEN_READWRITE, options_.busy_timeout_ms));
    MW_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only = 1"));
    return conn;
  }

  void Release(std::unique_ptr<Connection> conn) MW_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
  }

 private:
  static constexpr size_t kMaxIdle = 4;

  const SqliteOptions options_;
  internal::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ MW_GUARDED_BY(mu_);
};

// A read transaction (BEGIN DEFERRED): the statements run until it ends see the snapshot taken
// at the first of them. It ends (COMMIT: nothing was written) when destroyed.
class ReadSnapshot {
 public:
  static Result<ReadSnapshot> Begin(Connection& conn) {
    MW_RETURN_IF_ERROR(conn.Exec("BEGIN"));
    return ReadSnapshot(&conn);
  }
  ReadSnapshot(ReadSnapshot&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
  ReadSnapshot& operator=(ReadSnapshot&&) = delete;
  ~ReadSnapshot() {
    if (conn_ != nullptr) (void)conn_->Exec("COMMIT");
  }

 private:
  explicit ReadSnapshot(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

class SqliteStore final : public Store {
 public:
  // `readers` is null for ":memory:".
  // `wal_sync` is null when commits need no sync of their own (Sync::kNormal, ":memory:").
  SqliteStore(std::unique_ptr<Connection> writer, std::unique_ptr<ReaderPool> readers,
              std::unique_ptr<internal::WalSync> wal_sync)
      : writer_(std::move(writer)), readers_(std::move(readers)), wal_sync_(std::move(wal_sync)) {}

  Result<PredictionAppendResult> AppendPredictions(std::span<const PredictionEvent> events,
                                                   int64_t received_us) override;
  Result<LabelAppendResult> AppendLabels(std::span<const LabelEvent> labels, int64_t received_us,
                                         int64_t join_after_us) override;
  using Store::AppendLabels;
  Status ScanPredictions(const std::string& model, const std::optional<std::string>& version,
                         int64_t from_us, int64_t to_us,
                         const std::function<bool(const StoredPrediction&)>& visit) override;
  Status PutWindows(std::span<const WindowRecord> windows,
                    const std::optional<MonitorCheckpoint>& checkpoint) override;
  Result<std::optional<MonitorCheckpoint>> Checkpoint() override;
  Result<MonitorCheckpoint> Head() override;
  Status ScanPredictionsAfter(int64_t after_rowid,
                              const std::function<bool(const StoredPrediction&)>& visit) override;
  Status LabelJournalAfter(int64_t after_seq,
                           const std::function<bool(const JournaledLabel&)>& visit) override;
  void SetCommitListener(CommitListener* listener) override;
  Result<std::vector<WindowRecord>> Windows(const WindowQuery& query) override;
  Result<std::vector<ModelRecord>> Models() override;
  Status PutCounters(std::span<const CounterRecord> counters) override;
  Result<std::vector<CounterRecord>> Counters() override;
  Result<uint64_t> Expire(int64_t predictions_before_us, int64_t windows_before_us,
                          int64_t labels_before_us) override;
  Status AppendResourceSamples(std::span<const ResourceSampleRecord> samples) override;
  Result<std::vector<ResourceSampleRecord>> ResourceSamples(
      const ResourceSampleQuery& query) override;
  Result<uint64_t> ExpireResourceSamples(int64_t before_us) override;
  Status PutMetaText(const std::string& key, const std::string& value) override;
  Result<std::vector<std::pair<std::string, std::string>>> MetaTexts(
      const std::string& prefix) override;
  Status CheckWritable() override;

 private:
  Result<PredictionAppendResult> AppendPredictionsLocked(std::span<const PredictionEvent> events,
                                                         const EncodedPayloads& payloads,
                                                         int64_t received_us)
      MW_REQUIRES(write_mu_);
  Result<LabelAppendResult> AppendLabelsLocked(std::span<const LabelEvent> labels,
                                               int64_t received_us, int64_t join_after_us)
      MW_REQUIRES(write_mu_);
  Result<uint64_t> ExpireLocked(int64_t predictions_before_us, int64_t windows_before_us,
                                int64_t labels_before_us) MW_REQUIRES(write_mu_);
  // Runs `write(conn)` (returning Status) on the writer in one transaction, then waits until it
  // is durable.
  template <typename F>
  Status WriteTransaction(F&& write) MW_EXCLUDES(write_mu_);
  // Every write call's frame: refuses once a WAL sync failed; runs `locked()` (a *Locked method
  // that commits its own transaction, returning Result<T>) under write_mu_, then, if it
  // succeeded, `committed(*result)` still under the lock (the listener: commit order); then
  // waits, without the lock, until the commit is durable. Errors are prefixed with `where`.
  template <typename T, typename Locked, typename AfterCommit>
  Result<T> DurableWrite(std::string_view where, Locked&& locked, AfterCommit&& committed)
      MW_EXCLUDES(write_mu_);
  // Before a write: an error once a WAL sync failed (nothing may be acknowledged any more).
  Status WritesAllowed() {
    return wal_sync_ == nullptr ? Status::Ok() : wal_sync_->Healthy();
  }
  // Under write_mu_, after a commit: the number WaitDurable takes (0: nothing to wait for).
  uint64_t Committed() MW_REQUIRES(write_mu_) {
    return wal_sync_ == nullptr ? 0 : wal_sync_->Committed();
  }
  // After write_mu_ is released: blocks until commit `seq` is on stable storage.
  Status WaitDurable(uint64_t seq) MW_EXCLUDES(write_mu_) {
    return wal_sync_ == nullptr || seq == 0 ? Status::Ok() : wal_sync_->WaitDurable(seq);
  }
  // Runs `read(conn)` (returning Status or Result<T>) on a reader connection (on the writer,
  // under write_mu_, for ":memory:").
  template <typename F>
  std::invoke_result_t<F&, Connection&> Read(F&& read) MW_EXCLUDES(write_mu_);

  internal::Mutex write_mu_;
  const std::unique_ptr<Connection> writer_ MW_PT_GUARDED_BY(write_mu_);
  CommitListener* listener_ MW_GUARDED_BY(write_mu_) = nullptr;
  const std::unique_ptr<ReaderPool> readers_;  // null for ":memory:"
  const std::unique_ptr<internal::WalSync> wal_sync_;
};

template <typename T, typename Locked, typename AfterCommit>
Result<T> SqliteStore::DurableWrite(std::string_view where, Locked&& locked,
                                    AfterCommit&& committed) {
  MW_RETURN_IF_ERROR(Prefixed(WritesAllowed(), where));
  uint64_t seq = 0;
  Result<T> result = T{};
  {
    MutexLock lock(&write_mu_);
    result = Prefixed(locked(), where);
    if (!result.ok()) return result;
    seq = Committed();
    committed(*result);
  }
  MW_RETURN_IF_ERROR(Prefixed(WaitDurable(seq), where));
  return result;
}

template <typename F>
Status SqliteStore::WriteTransaction(F&& write) {
  // Callers prefix errors with their own name.
  return DurableWrite<bool>(
             "", [&]() MW_REQUIRES(write_mu_) -> Result<bool> {
               MW_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
               MW_RETURN_IF_ERROR(write(*writer_));
               MW_RETURN_IF_ERROR(txn.Commit());
               return true;
             },
             [](bool) {})
      .status();
}

template <typename F>
std::invoke_result_t<F&, Connection&> SqliteStore::Read(F&& read) {
  if (readers_ == nullptr) {
    MutexLock lock(&write_mu_);
    return read(*writer_);
  }
  Result<std::unique_ptr<Connection>> conn = readers_->Acquire();
  if (!conn.ok()) return conn.status();
  auto result = read(**conn);
  readers_->Release(std::move(conn).value());
  return result;
}

Result<PredictionAppendResult> SqliteStore::AppendPredictions(
    std::span<const PredictionEvent> events, int64_t received_us) {
  MW_RETURN_IF_ERROR(ValidatePredictions(events));
  if (events.empty()) return PredictionAppendResult{};
  const EncodedPayloads payloads(events);  // outside the lock: pure CPU work
  return DurableWrite<PredictionAppendResult>(
      "AppendPredictions",
      [&]() MW_REQUIRES(write_mu_) {
        return AppendPredictionsLocked(events, payloads, received_us);
      },
      [&](const PredictionAppendResult& result) MW_REQUIRES(write_mu_) {
        if (listener_ != nullptr && result.inserted > 0) {
          listener_->OnPredictionsCommitted(events, received_us, result);
        }
      });
}

Result<PredictionAppendResult> SqliteStore::AppendPredictionsLocked(
    std::span<const PredictionEvent> events, const EncodedPayloads& payloads, int64_t received_us) {
  Connection& conn = *writer_;
  MW_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  MW_ASSIGN_OR_RETURN(int64_t max_rowid, conn.QueryInt64(kMaxPredictionRowid));
  std::vector<InsertedRow> inserted;
  inserted.reserve(events.size());
  for (size_t begin = 0; begin < events.size();) {
    const size_t rows = ChunkRows(events.size() - begin);
    MW_RETURN_IF_ERROR(
        InsertChunk(conn, events, payloads, begin, rows, received_us, max_rowid, inserted));
    begin += rows;
  }
  PredictionAppendResult result;
  result.inserted = inserted.size();
  result.duplicates = events.size() - inserted.size();
  result.rowids.assign(events.size(), 0);
  for (const InsertedRow& row : inserted) result.rowids[row.index] = row.rowid;
  MW_ASSIGN_OR_RETURN(Stmt waiting, conn.Prepare(kLabelsWaitFor));
  MW_ASSIGN_OR_RETURN(Stmt take, conn.Prepare(kTakePendingLabel));
  MW_ASSIGN_OR_RETURN(Stmt set_label, conn.Prepare(kSetLabel));
  std::string_view checked_model;  // labels_waiting is about this model
  bool labels_waiting = false;
  ModelDeltas deltas;
  for (const InsertedRow& row : inserted) {
    const PredictionEvent& e = events[row.index];
    const bool labelled = !e.label.is_null();
    ModelDelta& delta = deltas.For(e.model, e.version);
    delta.AddPrediction(e.ts_us);
    if (labelled) ++delta.labels;
    // Labels wait in pending_labels only when they came before their prediction. When none wait
    // for this model, which is the usual case, the per-prediction lookup is skipped.
    if (e.model != checked_model) {
      waiting.BindText(1, e.model);
      MW_ASSIGN_OR_RETURN(const bool row_found, waiting.Step());
      labels_waiting = row_found && waiting.Int64(0) != 0;
      waiting.Reset();
      checked_model = e.model;
    }
    if (!labels_waiting) continue;
    // The waiting label is taken out either way; a label sent with the prediction is the newer
    // one and wins.
    take.BindText(1, e.model);
    take.BindText(2, e.id);
    MW_ASSIGN_OR_RETURN(const bool found, take.Step());
    if (!found || labelled) {
      take.Reset();
      continue;
    }
    StoredPrediction& joined = result.joined_on_arrival.emplace_back();
    joined.event = e;
    joined.received_us = received_us;
    joined.rowid = row.rowid;
    joined.label_received_us = take.Int64(1);
    MW_RETURN_IF_ERROR(ReadLabel(take, 0, joined.event.label));
    take.Reset();
    BindLabel(set_label, 1, joined.event.label);
    set_label.BindInt64(2, joined.label_received_us);
    set_label.BindInt64(3, row.rowid);
    MW_RETURN_IF_ERROR(set_label.Run());
    ++delta.labels;
  }
  MW_RETURN_IF_ERROR(deltas.Apply(conn));
  MW_RETURN_IF_ERROR(txn.Commit());
  return result;
}

Result<LabelAppendResult> SqliteStore::AppendLabels(std::span<const LabelEvent> labels,
                                                    int64_t received_us, int64_t join_after_us) {
  MW_RETURN_IF_ERROR(ValidateLabels(labels));
  if (labels.empty()) return LabelAppendResult{};
  return DurableWrite<LabelAppendResult>(
      "AppendLabels",
      [&]() MW_REQUIRES(write_mu_) {
        return AppendLabelsLocked(labels, received_us, join_after_us);
      },
      [&](const LabelAppendResult& result) MW_REQUIRES(write_mu_) {
        if (listener_ != nullptr && !result.joined.empty()) listener_->OnLabelsCommitted(result);
      });
}

Result<LabelAppendResult> SqliteStore::AppendLabelsLocked(std::span<const LabelEvent> labels,
                                                          int64_t received_us,
                                                          int64_t join_after_us) {
  // Per label: find the prediction through the (model, id) index, then update its row by rowid.
  // (One UPDATE ... RETURNING instead measured a third slower: SQLite buffers returned rows.)
  Connection& conn = *writer_;
  MW_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  MW_ASSIGN_OR_RETURN(Stmt find, conn.Prepare(kFindPrediction));
  MW_ASSIGN_OR_RETURN(Stmt set_label, conn.Prepare(kSetLabel));
  MW_ASSIGN_OR_RETURN(Stmt wait, conn.Prepare(kPutPendingLabel));
  LabelAppendResult result;
  result.joined.reserve(labels.size());
  std::unordered_map<int64_t, size_t> joined_at;  // rowid -> index in result.joined
  joined_at.reserve(labels.size());
  ModelDeltas deltas;
  for (const LabelEvent& l : labels) {
    find.BindText(1, l.model);
    find.BindText(2, l.id);
    MW_ASSIGN_OR_RETURN(const bool found, find.Step());
    if (!found) {
      find.Reset();
      wait.BindText(1, l.model);
      wait.BindText(2, l.id);
      BindLabel(wait, 3, l.label);
      wait.BindInt64(4, l.ts_us);
      wait.BindInt64(5, received_us);
      MW_RETURN_IF_ERROR(wait.Run());
      ++result.pending;
      continue;
    }
    if (find.Int64(kReceivedColumn) < join_after_us) {  // past the label TTL
      find.Reset();
      ++result.too_late;
      continue;
    }
    const int64_t rowid = find.Int64(kRowidColumn);
    const bool had_label = find.Type(kLabelColumn) != SQLITE_NULL;
    // A prediction labelled twice in one call is reported once, as it ends up.
    const auto [at, first_time] = joined_at.try_emplace(rowid, result.joined.size());
    StoredPrediction& p = first_time ? result.joined.emplace_back() : result.joined[at->second];
    if (first_time) {
      p.event.model = l.model;
      MW_RETURN_IF_ERROR(ReadStoredPrediction(find, p));
      result.previous.push_back({p.event.label, p.label_received_us});
    }
    find.Reset();
    if (!had_label) ++deltas.For(l.model, p.event.version).labels;
    p.event.label = l.label;
    p.label_received_us = received_us;
    BindLabel(set_label, 1, l.label);
    set_label.BindInt64(2, received_us);
    set_label.BindInt64(3, rowid);
    MW_RETURN_IF_ERROR(set_label.Run());
  }
  // One journal entry per prediction whose label changed: the monitor's replay after a crash.
  if (!result.joined.empty()) {
    MW_ASSIGN_OR_RETURN(Stmt journal, conn.Prepare(kJournalLabel));
    for (size_t i = 0; i < result.joined.size(); ++i) {
      const StoredPrediction& p = result.joined[i];
      journal.BindInt64(1, p.rowid);
      BindLabel(journal, 2, result.previous[i].label);
      journal.BindInt64(3, result.previous[i].label_received_us);
      BindLabel(journal, 4, p.event.label);
      journal.BindInt64(5, p.label_received_us);
      MW_RETURN_IF_ERROR(journal.Run());
    }
    result.journal_seq = conn.LastInsertRowid();
  }
  MW_RETURN_IF_ERROR(deltas.Apply(conn));
  MW_RETURN_IF_ERROR(txn.Commit());
  return result;
}

Status SqliteStore::ScanPredictions(const std::string& model,
                                    const std::optional<std::string>& version, int64_t from_us,
                                    int64_t to_us,
                                    const std::function<bool(const StoredPrediction&)>& visit) {
  if (from_us >= to_us) return Status::Ok();
  Status status = Read([&](Connection& conn) -> Status {
    // One snapshot for the statements of every minute.
    MW_ASSIGN_OR_RETURN(ReadSnapshot snapshot, ReadSnapshot::Begin(conn));
    MW_ASSIGN_OR_RETURN(Stmt next, conn.Prepare(kNextScanMinute));
    MW_ASSIGN_OR_RETURN(Stmt scan,
                        conn.Prepare(version ? kScanMinuteOneVersion : kScanMinuteAllVersions));
    const int64_t last_minute = internal::PredictionMinute(to_us - 1);
    next.BindText(1, model);
    next.BindInt64(3, last_minute);
    scan.BindText(1, model);
    scan.BindInt64(2, from_us);
    scan.BindInt64(3, to_us);
    if (version) scan.BindText(5, *version);
    StoredPrediction row;  // reused: decoding keeps the capacity of its strings and vectors
    row.event.model = model;
    for (int64_t minute = internal::PredictionMinute(from_us);; ++minute) {
      next.BindInt64(2, minute);
      MW_ASSIGN_OR_RETURN(const bool found, next.Step());
      if (!found) {
        next.Reset();
        return Status::Ok();
      }
      minute = next.Int64(0);
      next.Reset();
      scan.BindInt64(4, minute);
      while (true) {
        MW_ASSIGN_OR_RETURN(const bool more, scan.Step());
        if (!more) break;
        Status read = ReadStoredPrediction(scan, row);
        if (!read.ok() || !visit(row)) {
          scan.Reset();
          return read;
        }
      }
      scan.Reset();
      if (minute == last_minute) return Status::Ok();
    }
  });
  return status.WithPrefix("ScanPredictions");
}

Status SqliteStore::PutWindows(std::span<const WindowRecord> windows,
                               const std::optional<MonitorCheckpoint>& checkpoint) {
  if (windows.empty() && !checkpoint) return Status::Ok();
  Status status = WriteTransaction([&](Connection& conn) -> Status {
    MW_ASSIGN_OR_RETURN(Stmt put, conn.Prepare(kPutWindow));
    for (const WindowRecord& w : windows) {
      put.BindText(1, w.model);
      put.BindText(2, w.version);
      put.BindText(3, w.segment);
      put.BindInt64(4, w.width_s);
      put.BindInt64(5, w.start_us);
      put.BindInt64(6, w.end_us);
      put.BindInt64(7, w.closed ? 1 : 0);
      put.BindText(8, w.summary);
      put.BindInt64(9, w.updated_us);
      if (w.state.empty()) {
        put.BindNull(10);
      } else {
        put.BindBlob(10, w.state);
      }
      MW_RETURN_IF_ERROR(put.Run());
    }
    if (!checkpoint) return Status::Ok();
    MW_ASSIGN_OR_RETURN(Stmt meta, conn.Prepare(kPutMeta));
    meta.BindText(1, "monitor_prediction_rowid");
    meta.BindInt64(2, checkpoint->prediction_rowid);
    MW_RETURN_IF_ERROR(meta.Run());
    meta.BindText(1, "monitor_label_seq");
    meta.BindInt64(2, checkpoint->label_seq);
    MW_RETURN_IF_ERROR(meta.Run());
    MW_ASSIGN_OR_RETURN(Stmt trim, conn.Prepare(kTrimJournal));
    trim.BindInt64(1, checkpoint->label_seq);
    return trim.Run();
  });
  return status.WithPrefix("PutWindows");
}

Result<std::optional<MonitorCheckpoint>> SqliteStore::Checkpoint() {
  return Prefixed(Read([&](Connection& conn) -> Result<std::optional<MonitorCheckpoint>> {
                    MW_ASSIGN_OR_RETURN(Stmt select, conn.Prepare(kCheckpoint));
                    MonitorCheckpoint c;
                    int found = 0;
                    while (true) {
                      MW_ASSIGN_OR_RETURN(const bool more, select.Step());
                      if (!more) break;
                      if (select.Type(1) != SQLITE_INTEGER) {
                        return DataLossError(conn.label() + ": meta '" +
                                             std::string(select.Text(0)) + "' is not an integer");
                      }
                      (select.Text(0) == "monitor_label_seq" ? c.label_seq : c.prediction_rowid) =
                          select.Int64(1);
                      ++found;
                    }
                    if (found == 0) return std::optional<MonitorCheckpoint>();
                    if (found != 2)
                      return DataLossError(conn.label() + ": the monitor checkpoint is partial");
                    return std::optional<MonitorCheckpoint>(c);
                  }),
                  "Checkpoint");
}

Result<MonitorCheckpoint> SqliteStore::Head() {
  return Prefixed(Read([&](Connection& conn) -> Result<MonitorCheckpoint> {
                    MonitorCheckpoint head;
                    MW_ASSIGN_OR_RETURN(head.prediction_rowid,
                                        conn.QueryInt64(kMaxPredictionRowid));
                    MW_ASSIGN_OR_RETURN(head.label_seq, conn.QueryInt64(kLastJournalSeq));
                    return head;
                  }),
                  "Head");
}

Status SqliteStore::ScanPredictionsAfter(
    int64_t after_rowid, const std::function<bool(const StoredPrediction&)>& visit) {
  Status status = Read([&](Connection& conn) -> Status {
    MW_ASSIGN_OR_RETURN(Stmt scan, conn.Prepare(kScanAfter));
    scan.BindInt64(1, after_rowid);
    StoredPrediction row;
    while (true) {
      MW_ASSIGN_OR_RETURN(const bool more, scan.Step());
      if (!more) return Status::Ok();
      row.event.model.assign(scan.Text(kScanAfterModelColumn));
      MW_RETURN_IF_ERROR(ReadStoredPrediction(scan, row));
      if (!visit(row)) return Status::Ok();
    }
  });
  return status.WithPrefix("ScanPredictionsAfter");
}

Status SqliteStore::LabelJournalAfter(int64_t after_seq,
                                      const std::function<bool(const JournaledLabel&)>& visit) {
  Status status = Read([&](Connection& conn) -> Status {
    MW_ASSIGN_OR_RETURN(Stmt scan, conn.Prepare(kJournalAfter));
    scan.BindInt64(1, after_seq);
    JournaledLabel change;
    while (true) {
      MW_ASSIGN_OR_RETURN(const bool more, scan.Step());
      if (!more) return Status::Ok();
      StoredPrediction& p = change.prediction;
      p.event.model.assign(scan.Text(8));
      MW_RETURN_IF_ERROR(ReadStoredPrediction(scan, p));
      change.seq = scan.Int64(9);
      MW_RETURN_IF_ERROR(ReadLabel(scan, 10, change.previous.label));
      change.previous.label_received_us = scan.Int64(11);
      MW_RETURN_IF_ERROR(ReadLabel(scan, 12, p.event.label));
      p.label_received_us = scan.Int64(13);
      if (!visit(change)) return Status::Ok();
    }
  });
  return status.WithPrefix("LabelJournalAfter");
}

void SqliteStore::SetCommitListener(CommitListener* listener) {
  MutexLock lock(&write_mu_);
  listener_ = listener;
}

Result<std::vector<WindowRecord>> SqliteStore::Windows(const WindowQuery& query) {
  const std::string sql = WindowQuerySql(query);
  return Prefixed(Read([&](Connection& conn) -> Result<std::vector<WindowRecord>> {
                    MW_ASSIGN_OR_RETURN(Stmt select, conn.Prepare(sql));
                    select.BindText(1, query.model);
                    if (query.version) select.BindText(2, *query.version);
                    if (query.segment) select.BindText(3, *query.segment);
                    if (query.width_s) select.BindInt64(4, *query.width_s);
                    select.BindInt64(5, query.from_us);
                    select.BindInt64(6, query.to_us);
                    select.BindInt64(7, ClampToInt64(query.limit));
                    std::vector<WindowRecord> out;
                    while (true) {
                      MW_ASSIGN_OR_RETURN(const bool more, select.Step());
                      if (!more) return out;
                      WindowRecord& w = out.emplace_back();
                      w.model.assign(select.Text(0));
                      w.version.assign(select.Text(1));
                      w.segment.assign(select.Text(2));
                      w.width_s = select.Int64(3);
                      w.start_us = select.Int64(4);
                      w.end_us = select.Int64(5);
                      w.closed = select.Int64(6) != 0;
                      w.summary.assign(select.Text(7));
                      w.updated_us = select.Int64(8);
                      if (query.with_state && select.Type(9) == SQLITE_BLOB) {
                        w.state.assign(select.Blob(9));
                      }
                    }
                  }),
                  "Windows");
}

Result<std::vector<ModelRecord>> SqliteStore::Models() {
  return Prefixed(Read([&](Connection& conn) -> Result<std::vector<ModelRecord>> {
                    MW_ASSIGN_OR_RETURN(Stmt select, conn.Prepare(kModels));
                    std::vector<ModelRecord> out;
                    while (true) {
                      MW_ASSIGN_OR_RETURN(const bool more, select.Step());
                      if (!more) return out;
                      ModelRecord& m = out.emplace_back();
                      m.model.assign(select.Text(0));
                      m.version.assign(select.Text(1));
                      m.first_seen_us = select.Int64(2);
                      m.last_seen_us = select.Int64(3);
                      m.predictions = static_cast<uint64_t>(select.Int64(4));
                      m.labels = static_cast<uint64_t>(select.Int64(5));
                    }
                  }),
                  "Models");
}

Status SqliteStore::PutCounters(std::span<const CounterRecord> counters) {
  if (counters.empty()) return Status::Ok();
  Status status = WriteTransaction([&](Connection& conn) -> Status {
    MW_ASSIGN_OR_RETURN(Stmt put, conn.Prepare(kPutCounter));
    for (const CounterRecord& c : counters) {
      put.BindText(1, c.name);
      put.BindText(2, c.labels);
      put.BindInt64(3, static_cast<int64_t>(c.value));  // two's complement: round-trips
      MW_RETURN_IF_ERROR(put.Run());
    }
    return Status::Ok();
  });
  return status.WithPrefix("PutCounters");
}

Result<std::vector<CounterRecord>> SqliteStore::Counters() {
  return Prefixed(Read([&](Connection& conn) -> Result<std::vector<CounterRecord>> {
                    MW_ASSIGN_OR_RETURN(Stmt select, conn.Prepare(kCounters));
                    std::vector<CounterRecord> out;
                    while (true) {
                      MW_ASSIGN_OR_RETURN(const bool more, select.Step());
                      if (!more) return out;
                      CounterRecord& c = out.emplace_back();
                      c.name.assign(select.Text(0));
                      c.labels.assign(select.Text(1));
                      c.value = static_cast<uint64_t>(select.Int64(2));
                    }
                  }),
                  "Counters");
}

Result<uint64_t> SqliteStore::Expire(int64_t predictions_before_us, int64_t windows_before_us,
                                     int64_t labels_before_us) {
  return DurableWrite<uint64_t>(
      "Expire",
      [&]() MW_REQUIRES(write_mu_) {
        return ExpireLocked(predictions_before_us, windows_before_us, labels_before_us);
      },
      [](uint64_t) {});
}

Result<uint64_t> SqliteStore::ExpireLocked(int64_t predictions_before_us, int64_t windows_before_us,
                                           int64_t labels_before_us) {
  Connection& conn = *writer_;
  MW_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  std::vector<std::string> models;
  {
    MW_ASSIGN_OR_RETURN(Stmt names, conn.Prepare(kModelNames));
    while (true) {
      MW_ASSIGN_OR_RETURN(const bool more, names.Step());
      if (!more) break;
      models.emplace_back(names.Text(0));
    }
  }
  MW_ASSIGN_OR_RETURN(const int64_t newest, conn.QueryInt64(kMaxPredictionRowid));
  MW_ASSIGN_OR_RETURN(Stmt predictions, conn.Prepare(kExpirePredictions));
  predictions.BindInt64(2, predictions_before_us);
  predictions.BindInt64(3, newest);
  predictions.BindInt64(4, internal::PredictionMinute(predictions_before_us));
  for (const std::string& model : models) {
    predictions.BindText(1, model);
    MW_RETURN_IF_ERROR(predictions.Run());
  }
  MW_ASSIGN_OR_RETURN(Stmt windows, conn.Prepare(kExpireWindows));
  windows.BindInt64(1, windows_before_us);
  MW_RETURN_IF_ERROR(windows.Run());
  MW_ASSIGN_OR_RETURN(Stmt labels, conn.Prepare(kExpireLabels));
  labels.BindInt64(1, labels_before_us);
  MW_RETURN_IF_ERROR(labels.Run());
  const auto dropped = static_cast<uint64_t>(conn.Changes());
  MW_RETURN_IF_ERROR(txn.Commit());
  return dropped;
}

Status SqliteStore::AppendResourceSamples(std::span<const ResourceSampleRecord> samples) {
  if (samples.empty()) return Status::Ok();
  Status status = WriteTransaction([&](Connection& conn) -> Status {
    MW_ASSIGN_OR_RETURN(Stmt put, conn.Prepare(kPutResourceSample));
    for (const ResourceSampleRecord& r : samples) {
      put.BindText(1, r.target);
      put.BindInt64(2, r.ts_us);
      put.BindText(3, r.json);
      MW_RETURN_IF_ERROR(put.Run());
    }
    return Status::Ok();
  });
  return status.WithPrefix("AppendResourceSamples");
}

Result<std::vector<ResourceSampleRecord>> SqliteStore::ResourceSamples(
    const ResourceSampleQuery& query) {
  return Prefixed(Read([&](Connection& conn) -> Result<std::vector<ResourceSampleRecord>> {
                    MW_ASSIGN_OR_RETURN(Stmt select, conn.Prepare(kResourceSamples));
                    select.BindText(1, query.target);
                    select.BindInt64(2, query.from_us);
                    select.BindInt64(3, query.to_us);
                    select.BindInt64(4, ClampToInt64(query.limit));
                    std::vector<ResourceSampleRecord> out;
                    while (true) {
                      MW_ASSIGN_OR_RETURN(const bool more, select.Step());
                      if (!more) return out;
                      ResourceSampleRecord& r = out.emplace_back();
                      r.target = query.target;
                      r.ts_us = select.Int64(0);
                      r.json.assign(select.Text(1));
                    }
                  }),
                  "ResourceSamples");
}

Result<uint64_t> SqliteStore::ExpireResourceSamples(int64_t before_us) {
  uint64_t deleted = 0;
  Status status = WriteTransaction([&](Connection& conn) -> Status {
    MW_ASSIGN_OR_RETURN(Stmt expire, conn.Prepare(kExpireResourceSamples));
    expire.BindInt64(1, before_us);
    MW_RETURN_IF_ERROR(expire.Run());
    deleted = static_cast<uint64_t>(conn.Changes());
    return Status::Ok();
  });
  if (!status.ok()) return status.WithPrefix("ExpireResourceSamples");
  return deleted;
}

Status SqliteStore::PutMetaText(const std::string& key, const std::string& value) {
  if (key.empty() || key.starts_with("schema_") || key.starts_with("monitor_")) {
    return InvalidArgumentError("PutMetaText: key '" + key + "' is empty or reserved");
  }
  Status status = WriteTransaction([&](Connection& conn) -> Status {
    MW_ASSIGN_OR_RETURN(Stmt put, conn.Prepare(kPutMeta));
    put.BindText(1, key);
    put.BindText(2, value);
    return put.Run();
  });
  return status.WithPrefix("PutMetaText");
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::MetaTexts(
    const std::string& prefix) {
  using Out = std::vector<std::pair<std::string, std::string>>;
  return Prefixed(Read([&](Connection& conn) -> Result<Out> {
                    MW_ASSIGN_OR_RETURN(Stmt select, conn.Prepare(kMetaTexts));
                    select.BindText(1, prefix);
                    Out out;
                    while (true) {
                      MW_ASSIGN_OR_RETURN(const bool more, select.Step());
                      if (!more) return out;
                      out.emplace_back(select.Text(0), select.Text(1));
                    }
                  }),
                  "MetaTexts");
}

Status SqliteStore::CheckWritable() {
  MW_RETURN_IF_ERROR(WritesAllowed().WithPrefix("CheckWritable"));
  MutexLock lock(&write_mu_);
  // Taking the write lock proves the file is writable and not held by a stuck writer; the empty
  // transaction then rolls back.
  Result<Transaction> txn = Transaction::Begin(*writer_);
  return txn.status().WithPrefix("CheckWritable");
}

// ---------------------------------------------------------------------------------------------
// Opening

Status ConfigureWriter(Connection& conn, bool in_memory) {
  MW_ASSIGN_OR_RETURN(const std::string mode, conn.QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal" && !(in_memory && mode == "memory")) {
    return UnavailableError(conn.label() + ": cannot switch to WAL mode (journal mode is '" + mode +
                            "')");
  }
  // NORMAL in both modes: with kFull the store syncs the WAL itself after each commit, outside
  // the write lock (WalSync), which is what FULL would do inside COMMIT.
  MW_RETURN_IF_ERROR(conn.Exec("PRAGMA synchronous = NORMAL"));
  // 16 MiB of page cache keeps the indexes' hot pages in memory at high insert rates.
  MW_RETURN_IF_ERROR(conn.Exec("PRAGMA cache_size = -16384"));
  // Checkpoint every 4000 pages (16 MiB of WAL) rather than SQLite's 1000: fewer checkpoints
  // (each one fsyncs, in the committing thread), and index pages changed by many commits are
  // copied once. A WAL that grew past 64 MiB (a long reader held a checkpoint back) is
  // truncated back to that size afterwards.
  MW_RETURN_IF_ERROR(conn.Exec("PRAGMA wal_autocheckpoint = 4000"));
  MW_RETURN_IF_ERROR(conn.Exec("PRAGMA journal_size_limit = 67108864"));
  return conn.Exec("PRAGMA temp_store = MEMORY");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (options.path.empty()) return InvalidArgumentError("sqlite store: the path is empty");
  if (options.busy_timeout_ms < 0) {
    return InvalidArgumentError("sqlite store '" + options.path + "': busy_timeout_ms " +
                                std::to_string(options.busy_timeout_ms) + " is negative");
  }
  const bool in_memory = options.path == ":memory:";
  MW_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer,
                      Connection::Open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                       options.busy_timeout_ms));
  if (writer->ReadOnly()) {  // SQLite falls back to read-only when the file is not writable
    return UnavailableError(writer->label() + ": the database file is not writable");
  }
  // Refuse a corrupt or foreign file before changing anything in it (the journal mode is
  // written to the file header).
  MW_RETURN_IF_ERROR(internal::ReadSchemaVersion(*writer).status());
  MW_RETURN_IF_ERROR(ConfigureWriter(*writer, in_memory));
  MW_RETURN_IF_ERROR(internal::Migrate(*writer, internal::StoreMigrations()).status());
  std::unique_ptr<ReaderPool> readers;
  if (!in_memory) {
    readers = std::make_unique<ReaderPool>(options);
    // The first reader now, so that a file readers cannot open fails here, not at a later read.
    MW_ASSIGN_OR_RETURN(std::unique_ptr<Connection> reader, readers->Acquire());
    readers->Release(std::move(reader));
  }
  std::unique_ptr<internal::WalSync> wal_sync;
  if (!in_memory && options.sync == SqliteOptions::Sync::kFull) {
    wal_sync = std::make_unique<internal::WalSync>(options.path + "-wal");
  }
  return std::unique_ptr<Store>(
      new SqliteStore(std::move(writer), std::move(readers), std::move(wal_sync)));
}

}  // namespace modelwatch::store
