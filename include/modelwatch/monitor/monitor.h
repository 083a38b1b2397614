// Monitor: keeps every model's windows up to date in the store, incrementally.
//
// Each window (per model, version and "" = every version together, optional segment "key=value",
// width; plus the cumulative view, width 0) is a WindowState (window_state.h) updated from the
// events themselves: the monitor is the store's CommitListener, so every committed batch of
// predictions and every committed label change is applied to the states of the windows it
// touches, in commit order, while the store still serializes its writers. Nothing re-reads a
// window's rows. Evaluate() (the daemon calls it every second) writes only the windows that
// changed since the last call and the windows that just closed (the model's watermark, its latest
// event time, passed end + allowed lateness), each with its summary and its serialized state, in
// one transaction with the checkpoint of what those states include (store::MonitorCheckpoint).
// Closed windows are then dropped from memory; a late label or prediction for one is queued and
// applied by the next Evaluate to the state loaded from the store (a window written before states
// existed, schema version 1, or with an unreadable state, gets its state rebuilt from its rows
// once, and keeps it).
//
// Crash consistency: the raw rows stay the source of truth. A state in memory includes exactly
// the commits up to some point (the listener sees commits in order), and what Evaluate writes
// is a snapshot taken at one such point, with that point as the checkpoint: the newest
// prediction rowid and label-journal seq applied. Windows not written were unchanged since they
// were last written, so every stored state is consistent with the checkpoint. Recover() loads
// the open windows' states and replays the predictions after the checkpoint's rowid and the label
// changes after its journal seq (a prediction inserted after the checkpoint is replayed with the
// label it had then: the first later journal entry's previous label, else its current label). An
// acknowledged event is therefore never missing from, nor counted twice in, its windows after a
// SIGKILL at any point. (Sketch contents may differ from an uninterrupted run when replay
// reorders updates; counts, sums and histograms do not.)
//
// Drift: against the model's reference profile, or the reference built from its first
// `reference_first_events` events once they are stored; a window in memory that started before
// that reference existed gets its profile by one scan of its rows (those applied so far).
//
// Thread safety: all methods are thread safe. The listener methods take the monitor's mutex for
// the time it takes to apply one batch; Evaluate calls are serialized and do their store reads
// and writes outside that mutex. Evaluate must not be called from the listener.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "modelwatch/monitor/window_quality.h"
#include "modelwatch/monitor/window_state.h"
#include "modelwatch/store/store.h"

namespace modelwatch::monitor {

struct ModelSettings {
  std::string name;
  QualitySpec quality;
  std::vector<int64_t> window_widths_us = {300'000'000, 3'600'000'000};  // 5m, 1h
  int64_t allowed_lateness_us = 300'000'000;                             // 5m
  // Windows per segment: for each key, the windows of "key=value" for the value of the event's
  // segment object (events without the key are only in the whole-model windows). The number of
  // values is bounded by the daemon's cardinality guard (limits.max_segments_per_model).
  std::vector<std::string> segment_keys;
  // Drift: against `reference` (a profile), or against a reference the monitor builds from the
  // model's first `reference_first_events` predictions (in event time) once that many are
  // stored: every feature seen in them, the prediction and the label. Neither: no drift.
  std::shared_ptr<const DatasetProfile> reference;
  uint64_t reference_first_events = 0;
  DriftOptions drift;
};

class Monitor final : public store::CommitListener {
 public:
  // `store` must outlive the monitor. Registers the monitor as the store's commit listener
  // (and unregisters it when destroyed).
  Monitor(store::Store& store, std::vector<ModelSettings> models);
  ~Monitor() override;
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Adds a model first seen in events (no-op when it is known). Events of a model the monitor
  // does not know when they are committed are not in its windows: add models before their
  // events are stored.
  void AddModel(const ModelSettings& settings);
  bool HasModel(const std::string& model) const;

  // After a restart, before any new event is stored: loads the open windows' states and
  // replays what the store committed after the checkpoint (see the header comment). A store
  // without a checkpoint (new, or written by a version without window states) is replayed from
  // its first row: open windows and the cumulative view are rebuilt from the stored rows, closed
  // windows already in the store are kept as they are.
  Status Recover();

  // Writes the changed and the just-closed windows (and revisions of closed ones) with the
  // checkpoint; returns what was written. On an error nothing is lost: the same windows are
  // written by the next call.
  Result<std::vector<store::WindowRecord>> Evaluate(int64_t now_us);

  int64_t watermark_us(const std::string& model) const;
  // Window states held in memory (open windows, the cumulative views, closed ones not yet
  // written), and late predictions and label changes queued for closed windows.
  size_t states_in_memory() const;
  size_t queued_late_changes() const;

  // store::CommitListener (called by the store; see the header comment).
  void OnPredictionsCommitted(std::span<const PredictionEvent> events, int64_t received_us,
                              const store::PredictionAppendResult& result) override;
  void OnLabelsCommitted(const store::LabelAppendResult& result) override;

 private:
  // (model, version, segment, width_us, start_us); width 0 is the cumulative view (start 0).
  struct WindowKey {
    std::string model;
    std::string version;
    std::string segment;
    int64_t width_us = 0;
    int64_t start_us = 0;
  };
  // The same key over strings owned elsewhere (the hot path builds no strings).
  struct KeyView {
    std::string_view model;
    std::string_view version;
    std::string_view segment;
    int64_t width_us = 0;
    int64_t start_us = 0;
    explicit operator WindowKey() const {
      return {std::string(model), std::string(version), std::string(segment), width_us, start_us};
    }
  };
  // Orders keys by width and start first: most comparisons end on integers.
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Tie(a) < Tie(b);
    }
    template <typename K>
    static auto Tie(const K& k) {
      return std::tuple<int64_t, int64_t, std::string_view, std::string_view, std::string_view>(
          k.width_us, k.start_us, k.model, k.version, k.segment);
    }
  };
  struct Window {
    explicit Window(WindowState s) : state(std::move(s)) {}
    WindowState state;
    uint64_t changes = 1;  // bumped by every change; written_changes: as of the last write
    uint64_t written_changes = 0;
  };
  // A label change for a window that is not in memory (closed and written).
  struct LateChange {
    store::StoredPrediction prediction;  // with its new label
    store::PreviousLabel previous;
  };
  // What Evaluate must apply to a window that is not in memory: the predictions added since
  // (accumulated in a state of their own and merged into the stored one: counts, histograms
  // and sums add up; no event is copied), then the label changes, in order.
  struct Late {
    std::unique_ptr<WindowState> added;
    std::vector<LateChange> changes;
  };
  struct Model {
    ModelSettings settings;
    int64_t watermark_us = INT64_MIN;
  };

  // The windows of an event of model `m`, appended to `keys` (views of the event's and the
  // settings' strings, and of `segments`, which holds the "key=value" texts).
  static void WindowsOf(const Model& m, const PredictionEvent& e,
                        std::vector<std::string>* segments, std::vector<KeyView>* keys);
  template <typename K>
  static bool Closed(const Model& m, const K& key);
  // A new state for a window of `m` (with a drift profile when the reference is ready).
  static WindowState NewState(const Model& m);
  // Applies an added prediction (previous == nullptr) or a label change to every window of it.
  // `recovering`: see Recover (closed windows absent from the store get a state in memory).
  void Apply(Model& m, const PredictionEvent& e, int64_t received_us, int64_t label_received_us,
             const store::PreviousLabel* previous, const store::StoredPrediction* stored);
  void ApplyToWindow(Model& m, const KeyView& key, const PredictionEvent& e, int64_t received_us,
                     int64_t label_received_us, const store::PreviousLabel* previous,
                     const store::StoredPrediction* stored);

  // Builds the first-events reference of `settings` when enough events are stored.
  Status EnsureReference(ModelSettings* settings);
  // Gives every window in memory that lacks it the drift profile of its model's reference.
  Status FillDriftProfiles();
  // The record of a closed window revised by late changes.
  Result<store::WindowRecord> ReviseClosed(const WindowKey& key, const ModelSettings& settings,
                                           int64_t watermark_us, const Late& late, int64_t now_us);
  store::WindowRecord Record(const WindowKey& key, bool closed, int64_t watermark_us,
                             std::string summary, int64_t now_us) const;
  static WindowDriftSpec DriftSpec(const ModelSettings& settings);

  store::Store& store_;
  std::mutex evaluate_mu_;                                      // serializes Evaluate and Recover
  std::optional<store::MonitorCheckpoint> written_checkpoint_;  // guarded by evaluate_mu_
  mutable std::mutex mu_;
  std::map<std::string, Model> models_;                            // guarded by mu_
  std::map<WindowKey, std::unique_ptr<Window>, KeyLess> windows_;  // guarded by mu_
  std::map<WindowKey, Late, KeyLess> late_;                        // guarded by mu_
  store::MonitorCheckpoint applied_;                               // guarded by mu_
  // Recover without a checkpoint: closed windows the store already has (their changes are
  // dropped: those windows were computed from every row by the previous version).
  bool legacy_replay_ = false;                  // guarded by mu_
  std::set<WindowKey, KeyLess> legacy_closed_;  // guarded by mu_
};

}  // namespace modelwatch::monitor
