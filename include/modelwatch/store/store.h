// Store: where the daemon keeps what it must not lose (DESIGN.md §6). Raw predictions (kept for
// the late-label join and for recomputing a window a late label revises), labels that wait for
// their prediction, window summaries and the monitor's window states with the checkpoint they
// include, a journal of label changes since that checkpoint, the model registry and persisted
// counters.
//
// Durability: a call that returns OK has committed its transaction; what it wrote survives a
// crash of the process (SIGKILL) and, with SqliteOptions::sync == kFull, of the machine too (a
// power loss). A call that fails has written nothing (every call is one transaction), with one
// exception under kFull: when syncing a committed transaction to disk fails, the call fails with
// kUnavailable although its transaction may survive, and the store refuses every later write
// until it is reopened (retrying the call then is safe: duplicates are detected).
// Reads may see a kFull commit for the few milliseconds before it is on disk.
// Thread safety: every method may be called from any thread; implementations serialize writers.
// Errors: kUnavailable when the database cannot be opened or written (including a write lock
// held elsewhere for longer than the busy timeout), kDataLoss when stored bytes cannot be decoded
// or the file is not one of ours, kFailedPrecondition for a database written by a newer schema,
// kInvalidArgument for an event without model or id, a label event without a label, or a NaN
// label (checked before anything is written: the whole call is refused).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modelwatch/core/event.h"
#include "modelwatch/core/status.h"

namespace modelwatch::store {

// A prediction as stored, with its label once joined.
struct StoredPrediction {
  PredictionEvent event;          // event.label is the joined label (null until one arrives)
  int64_t received_us = 0;        // when the daemon accepted it
  int64_t label_received_us = 0;  // when the label arrived (0 while unlabelled)
  // The store's sequence number of the prediction: > 0, increasing in commit order, never
  // reused (not even after Expire). 0 where a caller builds one by hand.
  int64_t rowid = 0;
};

// A prediction's label before a change.
struct PreviousLabel {
  EventValue label;  // null: it had none
  int64_t label_received_us = 0;
};

// What AppendPredictions did.
struct PredictionAppendResult {
  uint64_t inserted = 0;
  // (model, id) already stored, or earlier in the same call: the stored one is kept
  // (retry-safe). inserted + duplicates == the number of events.
  uint64_t duplicates = 0;
  // Inserted predictions that found their label waiting (a label that came first); their
  // event.label and label_received_us (when that label arrived) are set. A prediction that
  // carries its own label is not listed: its label is the newer one and the waiting label is
  // dropped.
  std::vector<StoredPrediction> joined_on_arrival;
  // Per event of the call, in order: the sequence number (StoredPrediction::rowid) it was stored
  // under, or 0 for a duplicate.
  std::vector<int64_t> rowids;
};

// What AppendLabels did.
struct LabelAppendResult {
  // Predictions that received (or changed) their label, as they are now stored; each prediction
  // once, in the order of its first label in the call, even when the call labels it twice.
  std::vector<StoredPrediction> joined;
  // Parallel to `joined`: the label each of those predictions had before this call.
  std::vector<PreviousLabel> previous;
  // Every change in `joined` is journaled (see Store::LabelJournalAfter); this is the journal
  // sequence number of the call's last change (0 when nothing joined).
  int64_t journal_seq = 0;
  // Labels of this call that found no prediction and now wait for it (until Expire drops them).
  // A later label for the same (model, id) replaces the waiting one.
  uint64_t pending = 0;
  // Labels of this call whose prediction was received before the call's join_after_us: past the
  // model's label TTL, so neither joined nor kept waiting (a retained prediction keeps its
  // label, or stays unlabelled).
  uint64_t too_late = 0;
};

// One window's summary: the monitor's document for (model, version, segment, width, start).
struct WindowRecord {
  std::string model;
  std::string version;  // "" = every version together
  std::string segment;  // "" = the whole model; else "key=value"
  int64_t width_s = 0;  // 0 = the cumulative view
  int64_t start_us = 0;
  int64_t end_us = 0;
  bool closed = false;
  std::string summary;  // opaque to the store (the monitor's JSON)
  int64_t updated_us = 0;
  // The monitor's binary accumulator of the window (opaque to the store); "" = none. Returned
  // by Windows() only when the query asks for it (WindowQuery::with_state).
  std::string state;
  friend bool operator==(const WindowRecord&, const WindowRecord&) = default;
};

struct WindowQuery {
  std::string model;
  std::optional<std::string> version;  // nullopt: every version (and "")
  std::optional<std::string> segment;  // nullopt: every segment (and "")
  std::optional<int64_t> width_s;
  int64_t from_us = INT64_MIN;  // windows with start_us >= from_us
  int64_t to_us = INT64_MAX;    // and start_us < to_us
  size_t limit = 10000;
  bool with_state = false;  // also return WindowRecord::state
};

// What the monitor's stored window states include: every prediction with rowid <= this
// prediction_rowid and every journaled label change with seq <= label_seq. Written with the
// states (PutWindows), so that after a crash the monitor replays exactly what follows it.
struct MonitorCheckpoint {
  int64_t prediction_rowid = 0;
  int64_t label_seq = 0;
  friend bool operator==(const MonitorCheckpoint&, const MonitorCheckpoint&) = default;
};

// A label change from the journal: the prediction as that change left it (its event.label and
// label_received_us are the change's new label), and the label it had before.
struct JournaledLabel {
  int64_t seq = 0;
  StoredPrediction prediction;
  PreviousLabel previous;
};

// Told about every committed write of predictions and labels, in commit order (the monitor;
// see Store::SetCommitListener).
class CommitListener {
 public:
  virtual ~CommitListener() = default;
  // After AppendPredictions committed: the call's events, its receive time and its result
  // (rowids name the inserted events; joined_on_arrival those that found a waiting label).
  virtual void OnPredictionsCommitted(std::span<const PredictionEvent> events, int64_t received_us,
                                      const PredictionAppendResult& result) = 0;
  // After AppendLabels committed (and joined at least one prediction).
  virtual void OnLabelsCommitted(const LabelAppendResult& result) = 0;
};

// One (model, version) of the registry. Totals since it was first seen: Expire does not lower
// them.
struct ModelRecord {
  std::string model;
  std::string version;
  int64_t first_seen_us = 0;  // smallest event time (ts_us) of its predictions
  int64_t last_seen_us = 0;   // largest
  uint64_t predictions = 0;   // predictions stored (duplicates not counted)
  uint64_t labels = 0;        // predictions that got a label (a replaced label counts once)
  friend bool operator==(const ModelRecord&, const ModelRecord&) = default;
};

// A monotonically increasing counter the daemon persists (events, rejects by reason, labels
// that never matched), identified by its name and a label set rendered as text.
struct CounterRecord {
  std::string name;
  std::string labels;  // e.g. model="fraud",reason="invalid_argument"
  uint64_t value = 0;
  friend bool operator==(const CounterRecord&, const CounterRecord&) = default;
};

// One resource sample of one target (or of the host, target "host"), as the daemon's resource
// monitor records it: the JSON of docs/api.md (GET /v1/targets/{t}/resources).
struct ResourceSampleRecord {
  std::string target;
  int64_t ts_us = 0;  // when the sampling round started
  std::string json;   // one JSON object
  friend bool operator==(const ResourceSampleRecord&, const ResourceSampleRecord&) = default;
};

struct ResourceSampleQuery {
  std::string target;
  int64_t from_us = INT64_MIN;  // inclusive
  int64_t to_us = INT64_MAX;    // exclusive
  size_t limit = 10000;         // at most this many, the OLDEST first
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores predictions (one transaction). Registers unseen (model, version)s and updates their
  // first/last seen and counts; joins labels that were waiting. A prediction sent with a label
  // is stored labelled, with label_received_us = received_us, and counts as a joined label.
  virtual Result<PredictionAppendResult> AppendPredictions(std::span<const PredictionEvent> events,
                                                           int64_t received_us) = 0;

  // Joins each label to its prediction (a later label for the same id replaces the earlier one)
  // or keeps it waiting. One transaction.
  // A prediction received before `join_after_us` (received_us - the model's label TTL) is past
  // its TTL: its label counts in `too_late` and is not stored.
  virtual Result<LabelAppendResult> AppendLabels(std::span<const LabelEvent> labels,
                                                 int64_t received_us, int64_t join_after_us) = 0;
  Result<LabelAppendResult> AppendLabels(std::span<const LabelEvent> labels, int64_t received_us) {
    return AppendLabels(labels, received_us, INT64_MIN);
  }

  // Calls `visit` for every stored prediction of `model` with from_us <= ts_us < to_us (all
  // versions when `version` is nullopt), in ts_us order (ties in the order they were stored);
  // stops early when visit returns false. The scan sees one committed snapshot: writes by other
  // threads meanwhile are not visible to it, and are not blocked by it. The StoredPrediction is
  // valid only during the call (copy what you keep). `visit` must not call this Store (it runs
  // under the store's read lock). kDataLoss when a row cannot be decoded: the rows before it
  // have been visited.
  virtual Status ScanPredictions(const std::string& model,
                                 const std::optional<std::string>& version, int64_t from_us,
                                 int64_t to_us,
                                 const std::function<bool(const StoredPrediction&)>& visit) = 0;

  // Inserts or replaces the windows with the same (model, version, segment, width_s, start_us),
  // and, when `checkpoint` is set, in the same transaction records it (Checkpoint()) and drops
  // the journaled label changes up to checkpoint->label_seq.
  virtual Status PutWindows(std::span<const WindowRecord> windows,
                            const std::optional<MonitorCheckpoint>& checkpoint) = 0;
  Status PutWindows(std::span<const WindowRecord> windows) {
    return PutWindows(windows, std::nullopt);
  }
  // The checkpoint last written by PutWindows; nullopt when none was (a new store, or one
  // written before checkpoints existed).
  virtual Result<std::optional<MonitorCheckpoint>> Checkpoint() = 0;
  // The newest prediction rowid and label journal seq committed so far (0 when none).
  virtual Result<MonitorCheckpoint> Head() = 0;
  // Every stored prediction with rowid > after_rowid, of every model, in rowid order (as
  // ScanPredictions otherwise).
  virtual Status ScanPredictionsAfter(
      int64_t after_rowid, const std::function<bool(const StoredPrediction&)>& visit) = 0;
  // Every journaled label change with seq > after_seq, in seq order; changes of predictions
  // that Expire deleted are skipped. (As ScanPredictions: one snapshot, `visit` must not call
  // the store.)
  virtual Status LabelJournalAfter(int64_t after_seq,
                                   const std::function<bool(const JournaledLabel&)>& visit) = 0;

  // Registers the listener of committed predictions and labels (null: none). It is called
  // after each successful commit while the store still serializes writers, so calls arrive one
  // at a time in commit order: what a listener has seen is always exactly the writes up to some
  // commit (the order the monitor's checkpoint relies on). It must not call the store and must
  // not block for long (writers wait for it). The listener must outlive its registration.
  virtual void SetCommitListener(CommitListener* listener) = 0;
  // Matching windows ordered by (model, version, segment, width_s, start_us).
  virtual Result<std::vector<WindowRecord>> Windows(const WindowQuery& query) = 0;

  virtual Result<std::vector<ModelRecord>> Models() = 0;

  // Replaces the stored values of these counters.
  virtual Status PutCounters(std::span<const CounterRecord> counters) = 0;
  virtual Result<std::vector<CounterRecord>> Counters() = 0;

  // Retention: deletes predictions with ts_us < predictions_before_us (except the newest
  // prediction of all, which keeps rowids from being reused) and windows with
  // end_us < windows_before_us (except cumulative views, width_s 0); drops waiting labels received
  // before labels_before_us and returns how many were dropped (labels that never matched). The
  // model registry and counters are kept. One transaction: expire often, so that each call deletes
  // little.
  virtual Result<uint64_t> Expire(int64_t predictions_before_us, int64_t windows_before_us,
                                  int64_t labels_before_us) = 0;

  // Inserts resource samples (one transaction); a sample with the (target, ts_us) of a stored
  // one replaces it.
  virtual Status AppendResourceSamples(std::span<const ResourceSampleRecord> samples) = 0;
  // The samples of query.target with from_us <= ts_us < to_us in ts_us order, at most limit.
  virtual Result<std::vector<ResourceSampleRecord>> ResourceSamples(
      const ResourceSampleQuery& query) = 0;
  // Retention of resource samples: deletes those with ts_us < before_us; returns how many.
  virtual Result<uint64_t> ExpireResourceSamples(int64_t before_us) = 0;

  // Small named texts of the daemon's own (e.g. "inferred_schema:<model>"), kept with the data.
  // Keys are not empty and do not start with "schema_" or "monitor_" (the store's own keys).
  virtual Status PutMetaText(const std::string& key, const std::string& value) = 0;
  // Every (key, value) whose key starts with `prefix`, ordered by key.
  virtual Result<std::vector<std::pair<std::string, std::string>>> MetaTexts(
      const std::string& prefix) = 0;

  // Readiness: OK when the store can be written now (the write lock can be taken within the
  // busy timeout); writes nothing.
  virtual Status CheckWritable() = 0;
};

struct SqliteOptions {
  // Database file, created when missing (its directory must exist); SQLite adds "-wal" and
  // "-shm" files beside it. ":memory:" is a private in-memory database (tests).
  std::string path;
  enum class Sync { kNormal, kFull };
  // kFull: durable across power loss. The write-ahead log is fdatasynced after each commit and
  // before the call returns, as synchronous=FULL would, but outside the write lock: the next
  // call commits meanwhile, and calls that committed while a sync ran share the next one.
  // kNormal: WAL with synchronous=NORMAL: durable across process crashes; the last commits may
  // be lost if the machine itself goes down.
  Sync sync = Sync::kFull;
  // How long a write waits for another process's write lock before failing with kUnavailable.
  // >= 0.
  int busy_timeout_ms = 5000;
};

// Opens (creating or migrating forward) a SQLite database in WAL mode. Errors:
// kInvalidArgument for an empty path or a negative busy timeout; kUnavailable when the file
// cannot be opened or created; kDataLoss for a file that is not a SQLite database or a SQLite
// database of another application (left untouched); kFailedPrecondition when its schema is
// newer than this build's. Layout, durability and retention: docs/storage.md.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace modelwatch::store
