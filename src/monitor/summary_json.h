// The pieces of a window's summary JSON (docs/api.md), shared by the two producers of the same
// document: WindowQuality (exact, from the window's stored rows) and WindowState (incremental,
// from counts, histograms and sketches). Private to the monitor.
// Thread safety: pure functions over the caller's data.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelwatch/core/column_profile.h"
#include "modelwatch/core/label_interner.h"
#include "modelwatch/core/label_order.h"
#include "modelwatch/core/regression_metrics.h"
#include "modelwatch/core/score_metrics.h"
#include "modelwatch/io/json_writer.h"
#include "modelwatch/monitor/window_quality.h"

namespace modelwatch::monitor::internal {

// A quantile summary: {"count","sum",<name>: value..., "rank_error"}. rank_error is the
// normalized rank error bound of the quantiles (0 when they are exact).
struct QuantileSummary {
  uint64_t count = 0;
  double sum = 0;
  std::vector<std::pair<std::string_view, std::optional<double>>> quantiles;
  double rank_error = 0;
};
void WriteQuantiles(io::JsonWriter& w, std::string_view key, const QuantileSummary& q);

// The summary's first members: "predictions", "labelled" and "label_coverage" (labelled /
// predictions, null without predictions).
void WriteCounts(io::JsonWriter& w, uint64_t predictions, uint64_t labelled);

// The classification quality object from confusion counts over raw label texts: `cells` holds
// (raw label id, raw prediction id, count) over `raw`. `write_scores` writes the "scores" value
// given the class order. Writes null with a warning when the class order cannot be built.
void WriteClassification(io::JsonWriter& w, const QualitySpec& spec, LabelInterner raw,
                         std::span<const std::tuple<uint32_t, uint32_t, uint64_t>> cells,
                         const std::function<void(const LabelOrder&)>& write_scores,
                         std::vector<std::string>* warnings);

// "scores" objects. error_bound members are the histogram estimates' bounds (0 when exact).
void WriteBinaryScores(io::JsonWriter& w, const BinaryScoreMetrics& m,
                       std::vector<std::string>* warnings);
void WriteMulticlassScores(io::JsonWriter& w, const MulticlassScoreMetrics& m,
                           std::vector<std::string>* warnings);

// The regression quality object; `median_rank_error` as QuantileSummary::rank_error.
void WriteRegression(io::JsonWriter& w, const RegressionMetrics& m, double median_rank_error,
                     std::vector<std::string>* warnings);

// The "drift" member. `current` has one entry per reference column (the window's profile of
// that column, null when the window has none); `current_rows` the window's row count.
// `have_current` false writes null (with drift.note as a warning when set).
void WriteDrift(io::JsonWriter& w, const WindowDriftSpec& drift, bool have_current,
                std::span<const ColumnProfile* const> current, uint64_t current_rows,
                std::vector<std::string>* warnings);

// Index of the reference column that holds the label (kLabelColumn, else "label"), or -1.
int LabelColumnIndex(const DatasetProfile& reference);

// The event value of reference column `name` in `e` (a feature by that name, else the
// prediction for kPredictionColumn / "prediction"; the label only when `with_label`), or null.
const EventValue* ColumnValue(const PredictionEvent& e, const std::string& name, bool with_label);

}  // namespace modelwatch::monitor::internal
