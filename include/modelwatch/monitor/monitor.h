// Monitor: keeps every model's windows up to date in the store. Ingest tells it which
// (model, version, event time)s were stored or got a label (Touch); Evaluate() recomputes the
// touched windows from the store's raw predictions (WindowQuality) and writes their summaries,
// marking a window closed once the model's watermark (latest event time seen) passes its end plus
// the allowed lateness. A late label or a late prediction touches a closed window again, which
// revises its summary: the store's raw rows are the single source of truth, so a revision is
// exact.
//
// Each touched window is written for its version and for "" (every version together), for each
// configured width. Restart: Recover() marks every window the store still holds as open, so they
// are evaluated and closed as if nothing had happened.
// Thread safety: all methods are thread safe (one mutex; Evaluate runs the store scans outside
// of it). Open windows are evaluated again on every Evaluate call until they close.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "modelwatch/monitor/window_quality.h"
#include "modelwatch/store/store.h"

namespace modelwatch::monitor {

struct ModelSettings {
  std::string name;
  QualitySpec quality;
  std::vector<int64_t> window_widths_us = {300'000'000, 3'600'000'000};  // 5m, 1h
  int64_t allowed_lateness_us = 300'000'000;                             // 5m
  // Drift: against `reference` (a profile), or against a reference the monitor builds from the
  // model's first `reference_first_events` predictions (in event time) once that many are
  // stored: every feature seen in them, the prediction and the label. Neither: no drift.
  std::shared_ptr<const DatasetProfile> reference;
  uint64_t reference_first_events = 0;
  DriftOptions drift;
};

class Monitor {
 public:
  // `store` must outlive the monitor.
  Monitor(store::Store& store, std::vector<ModelSettings> models);

  // Adds a model first seen in events (no-op when it is known).
  void AddModel(const ModelSettings& settings);
  bool HasModel(const std::string& model) const;

  // Marks the windows holding `ts_us` of (model, version) as needing evaluation and advances the
  // model's watermark. Unknown models are ignored.
  void Touch(const std::string& model, const std::string& version, int64_t ts_us);
  void Touch(const store::PredictionAppendResult& appended, std::span<const PredictionEvent> events);
  void Touch(const store::LabelAppendResult& joined);

  // Marks every open window stored for the configured models as touched (after a restart).
  Status Recover();

  // Evaluates the touched windows and writes them to the store; returns what was written. On an
  // error the windows stay touched and are tried again by the next call.
  Result<std::vector<store::WindowRecord>> Evaluate(int64_t now_us);

  int64_t watermark_us(const std::string& model) const;

 private:
  using WindowId = std::tuple<std::string, std::string, int64_t, int64_t>;  // model, version,
                                                                             // width, start
  Result<store::WindowRecord> EvaluateWindow(const WindowId& id, const ModelSettings& settings,
                                             int64_t watermark_us, int64_t now_us);
  // Builds the first-events reference of `settings` when enough events are stored; the note
  // says why not otherwise.
  Status EnsureReference(ModelSettings* settings, std::string* note);

  store::Store& store_;
  mutable std::mutex mu_;
  std::map<std::string, ModelSettings> models_;  // guarded by mu_
  std::set<WindowId> touched_;                // guarded by mu_
  std::map<std::string, int64_t> watermarks_;  // guarded by mu_
};

}  // namespace modelwatch::monitor
