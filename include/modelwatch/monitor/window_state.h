// WindowState: the incremental, mergeable and serializable accumulator of one window (or of the
// cumulative view) of a model. The daemon updates it from the events themselves as they are
// stored (AddPrediction) and as labels join (ReviseLabel), never by re-reading the window, and
// writes its summary (the same JSON document as WindowQuality::SummaryJson, docs/api.md) and its
// bytes (Serialize) to the store.
//
// What it holds, and how exact each part of the summary is:
//  - counts (predictions, labelled, labelled_without_prediction, latency and label-lag count and
//    sum): exact; a revised label subtracts its previous contribution.
//  - classification: confusion counts over the raw label texts (class identity by value at
//    summary time, as WindowQuality): accuracy, precision, recall, F1, MCC, kappa are exact.
//  - scores: the core's histogram mode (ScoreMode::kHistogram, kScoreHistogramBins bins): log
//    loss, Brier and ECE exact; ROC AUC and average precision estimates with the error bound of
//    docs/score-metrics.md reported beside them (`roc_auc_error_bound`, ...). Multiclass: the
//    class set of the score histograms is the model's `classes` when configured, else the
//    classes of the first labelled row that carries `scores`; a labelled row whose scores name
//    other classes, or whose label is not among them, makes the score metrics null (a warning
//    says so), as a row lacking a probability does in WindowQuality.
//  - regression: compensated sums and Welford moments (exact up to rounding); max_error is the
//    largest error ever added (a revised label cannot lower it); median_absolute_error comes from
//    a KLL sketch of the absolute errors: exact (numpy's median) while the sketch holds every
//    error (n <= kQuantileK), else within `median_absolute_error_rank_error` in rank.
//  - quantiles (latency p50/p95/p99, label lag p50/p95): KLL sketches with k = kQuantileK:
//    numpy's linear interpolation while exact, else the sketch's estimate, whose normalized
//    rank error (99% confidence, kll_sketch.h) is reported as `rank_error`.
//  - drift: a DatasetProfile of the reference's columns (features and prediction, updated with
//    each prediction) and a one-column profile of the labels (updated as labels join).
//  Sketches cannot forget: when a label is revised, the previous label's lag, absolute error
//  (regression) and value (label drift column) stay in their sketches; the counts do not.
//
// Serialization: one frame (core/byte_codec.h) of family FormatFamily::kWindowState, version
// kFormatVersion; sketches, profiles and accumulators are embedded. Deserialize rejects
// truncated, corrupted (CRC-32C), foreign or newer bytes with kDataLoss.
// Thread safety: a value type; const methods may run concurrently, mutation may not.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelwatch/core/compensated_sum.h"
#include "modelwatch/core/dataset_profile.h"
#include "modelwatch/core/kll_sketch.h"
#include "modelwatch/core/label_interner.h"
#include "modelwatch/core/regression_metrics.h"
#include "modelwatch/core/score_metrics.h"
#include "modelwatch/monitor/window_quality.h"
#include "modelwatch/store/store.h"

namespace modelwatch::monitor {

class WindowState {
 public:
  static constexpr uint16_t kFormatVersion = 1;
  // k of the latency, label-lag and absolute-error sketches: exact up to 200 values, then a
  // normalized rank error of 0.75% per quantile (kll_sketch.h).
  static constexpr int kQuantileK = 200;
  // Bins of the score histograms (ScoreOptions' default; docs/score-metrics.md).
  static constexpr uint32_t kScoreHistogramBins = 10000;

  explicit WindowState(QualitySpec spec);

  // Drift: starts an empty drift profile with the columns of `reference` (replacing any).
  void StartDrift(const DatasetProfile& reference);
  // True when the state profiles exactly the columns of `reference`.
  bool HasDriftFor(const DatasetProfile& reference) const;
  bool has_drift() const { return drift_ != nullptr; }

  // A stored prediction, with its label when it has one (e.label; label_received_us is when
  // that label arrived, received_us when the prediction did).
  void AddPrediction(const PredictionEvent& e, int64_t received_us, int64_t label_received_us);
  void AddPrediction(const store::StoredPrediction& p) {
    AddPrediction(p.event, p.received_us, p.label_received_us);
  }
  // The label of a prediction already added changed: `p` is the prediction with its new label,
  // `previous` the label it had before (null: none). The previous label's contribution is
  // subtracted (see the header comment for sketches).
  void ReviseLabel(const store::StoredPrediction& p, const store::PreviousLabel& previous);
  // Adds the drift profiles of `other` (same columns; kInvalidArgument otherwise). Used to fill
  // a profile started after the window had rows.
  Status MergeDrift(const WindowState& other);
  // Adds every part of `other` (same task: kInvalidArgument otherwise). Drift profiles merge
  // when both states have one over the same columns (else this state keeps its own); rows that
  // `other` scored over another multiclass class set count as not fitting this one's (the
  // summary then has null scores with a warning).
  Status Merge(const WindowState& other);

  uint64_t predictions() const { return predictions_; }
  uint64_t labelled() const { return labelled_; }

  // The window's summary (docs/api.md); `drift` gives the reference, options and the note
  // written when there is no drift profile.
  std::string SummaryJson(const WindowDriftSpec& drift) const;

  std::string Serialize() const;
  // kDataLoss for bytes that are not a valid window state of a supported version; the spec
  // (task, positive label, classes) comes from the model's settings, not from the bytes.
  static Result<WindowState> Deserialize(std::string_view bytes, QualitySpec spec);

  WindowState(const WindowState& other);
  WindowState& operator=(const WindowState& other);
  WindowState(WindowState&&) noexcept = default;
  WindowState& operator=(WindowState&&) noexcept = default;

 private:
  struct Drift {
    DatasetProfile features;  // the reference's columns; the label column stays missing
    DatasetProfile labels;    // one column named like the reference's label column
    int label_column = -1;    // index of the label column in `features`, or -1
  };

  // Adds (sign +1) or subtracts (-1) the contribution of `label` (non-null) given to `e`.
  void ApplyLabel(const PredictionEvent& e, const EventValue& label, int64_t received_us,
                  int64_t label_received_us, int sign);
  void ApplyScores(const PredictionEvent& e, const std::string& label_text, int sign);
  void WriteScores(io::JsonWriter& w, std::vector<std::string>* warnings) const;

  QualitySpec spec_;
  uint64_t predictions_ = 0;
  uint64_t labelled_ = 0;
  uint64_t labelled_without_prediction_ = 0;
  uint64_t latency_count_ = 0;
  CompensatedSum latency_sum_;
  KllSketch latency_;
  uint64_t lag_count_ = 0;
  CompensatedSum lag_sum_;
  KllSketch lag_;
  // Classification: confusion counts keyed by (raw label id, raw prediction id) of labels_.
  LabelInterner labels_;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> confusion_;
  // Binary scores: labelled rows with a prediction and a score / without a score.
  std::optional<BinaryScoreAccumulator> binary_scores_;
  uint64_t unscored_ = 0;
  // Multiclass scores: class names (canonical texts) fixed by the first scored row.
  std::optional<MulticlassScoreAccumulator> multiclass_scores_;
  uint64_t scores_mismatched_ = 0;  // scored rows that do not fit the class set
  // Regression.
  RegressionAccumulator regression_{/*keep_errors_for_median=*/false};
  KllSketch abs_errors_;
  std::unique_ptr<Drift> drift_;
};

// The q-quantile of a sketch's values: numpy's linear interpolation while the sketch is exact,
// else KllSketch::Quantile; nullopt when empty.
std::optional<double> SketchQuantile(const KllSketch& sketch, double q);

}  // namespace modelwatch::monitor
