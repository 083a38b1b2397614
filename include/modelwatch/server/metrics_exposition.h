// GET /metrics: the daemon's state in the Prometheus text format (names in docs/metrics.md).
//
// Per model, version ("" = all versions together, exported as version="all") and window width
// (window="5m"; window="all" for the cumulative view), the latest closed window's quality and
// operations as gauges:
//   modelwatch_window_predictions, modelwatch_window_labelled,
//   modelwatch_window_label_coverage_ratio, modelwatch_window_label_lag_seconds{quantile},
//   modelwatch_window_latency_seconds{quantile}, modelwatch_window_accuracy_ratio,
//   modelwatch_window_balanced_accuracy_ratio, modelwatch_window_precision_ratio / _recall_ratio /
//   _f1_ratio (binary average for binary models, macro for multiclass),
//   modelwatch_window_roc_auc_ratio, modelwatch_window_log_loss, modelwatch_window_brier_score,
//   modelwatch_window_mae, _rmse, _r2 (regression), modelwatch_window_end_timestamp_seconds;
// the daemon's counters (DaemonCounters) as *_total counters; and, from a ProcessSampler
// sample of the daemon itself, the standard process metrics process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes, process_start_time_seconds,
// process_open_fds, process_max_fds and process_threads (absent readings are left out).
// Then the latest resource round (host, targets, containers, GPUs: resource_exposition.h).
// Undefined values (null in the summary) are left out rather than exported as NaN.
// Series are bounded: models, versions and windows are bounded by the configured limits.
// Thread safety: pure function of its input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "modelwatch/probes/process_sampler.h"
#include "modelwatch/server/resource_monitor.h"
#include "modelwatch/store/store.h"

namespace modelwatch::server {

struct MetricsSnapshot {
  std::vector<store::WindowRecord> latest_windows;  // at most one per (model, version, width)
  std::vector<store::CounterRecord> counters;
  std::optional<probes::ProcessSample> process;  // the daemon itself; none: no process metrics
  std::optional<ResourceSnapshot> resources;     // none: resource sampling is off
};

std::string RenderMetrics(const MetricsSnapshot& snapshot);

// "5m", "1h", "1d", "90s": the window label of a width in seconds.
std::string WindowLabel(int64_t width_s);

}  // namespace modelwatch::server
