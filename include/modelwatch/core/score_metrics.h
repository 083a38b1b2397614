// Metrics of predicted probabilities: ROC AUC, average precision, log loss, Brier score and
// expected calibration error, for binary and multiclass (one-vs-rest) tasks.
//
// Two modes (ScoreMode):
//  - kExact keeps every score (8 bytes per score and class; Finish() needs 8 more bytes per score
//    of scratch, up to 16 when most scores share their leading bits, one class at a time) and
//    radix-sorts them at Finish(): values equal
//    scikit-learn 1.2's roc_auc_score, average_precision_score, log_loss, brier_score_loss to
//    floating-point rounding (ROC AUC comes from integer pair counts, one rounding).
//  - kHistogram keeps fixed-width score histograms: `histogram_bins` bins over [0, 1], score p
//    in bin min(bins - 1, floor(p * bins)), 16 bytes per bin (and per class), constant memory,
//    mergeable. ROC AUC and average precision are computed as if the scores in one bin were
//    tied, and each comes with ScoreEstimate::error_bound, the largest distance between the
//    estimate and any exact value consistent with the histograms (the bound is attained by some
//    ordering of the scores within the bins; derivation in docs/score-metrics.md):
//    |exact - estimate| <= error_bound, up to floating-point rounding (~1e-15).
//  Log loss, Brier and ECE are exact in both modes (compensated running sums).
//
// Definitions (docs/score-metrics.md):
//  - binary: `score` is P(positive). ROC AUC = roc_auc_score (ties count 1/2, as Mann-Whitney
//    with midranks). Average precision = average_precision_score (one threshold per distinct
//    score). Log loss = log_loss(y, p, labels=[0, 1]): p clipped to [eps, 1-eps] (eps = DBL
//    epsilon), the two columns (1-p, p) renormalized. Brier = brier_score_loss = mean (y - p)^2.
//    ECE = sum_b (n_b / n) |mean(y)_b - mean(p)_b| over `ece_bins` equal-width bins of p, bins
//    assigned like sklearn.calibration.calibration_curve(strategy='uniform') (edges
//    numpy.linspace(0, 1, ece_bins + 1), a score on an inner edge belongs to the lower bin).
//  - multiclass: ROC AUC one-vs-rest, macro and support-weighted (roc_auc_score(multi_class=
//    'ovr')); average precision macro over classes (average_precision_score on the binarized
//    labels); log loss with each p_k clipped and the row renormalized (log_loss(labels=all));
//    Brier = mean over rows of sum_k (p_k - [y = k])^2; ECE top-label: confidence = max_k p_k
//    (first maximum, as numpy.argmax), correct = (argmax = y), same bins.
// Undefined values are std::nullopt with a warning naming the reason: empty input (every
// metric); ROC AUC without positives or without negatives (scikit-learn raises); average
// precision without positives (scikit-learn returns 0.0 with a warning: we report null). In
// multiclass, classes without positives or without negatives are left out of the macro/weighted
// ROC AUC, and classes without positives out of the macro average precision, with a warning
// naming them (scikit-learn raises, or averages in AP = 0).
// Options: histogram_bins and ece_bins must be >= 1 (callers validate; 0 is treated as 1).
// Update() never allocates in histogram mode and allocates amortized O(1) in exact mode; it
// cannot fail: callers validate that scores are finite and in [0, 1] (and, in multiclass, that
// `truth` < num_classes() and scores.size() == num_classes(); a row breaking that is a programmer
// error: it asserts in debug builds and is ignored otherwise).
// Histogram mode also supports taking a row back (Remove: counts and sums are subtractable, so a
// revised label can be undone exactly) and a compact binary state (EncodeTo / DecodeFrom: sparse
// histogram, sums bit-exact) that callers embed in their own framed formats (the daemon's
// per-window state, monitor/window_state.h).
// Thread safety: not thread safe; accumulate per thread and Merge().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/chunked_vector.h"
#include "modelwatch/core/compensated_sum.h"
#include "modelwatch/core/parallel_for.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

enum class ScoreMode { kExact, kHistogram };

namespace score_internal {
// Sums of one expected-calibration-error bin (implementation detail of the accumulators).
struct CalibrationBin {
  uint64_t count = 0;
  uint64_t hits = 0;        // binary: positives; multiclass: rows whose argmax is the truth
  CompensatedSum prob_sum;  // binary: sum of p; multiclass: sum of max_k p_k
};
}  // namespace score_internal

struct ScoreOptions {
  ScoreMode mode = ScoreMode::kExact;
  uint32_t histogram_bins = 10000;  // kHistogram: bins over [0, 1]
  uint32_t ece_bins = 10;
};

// A metric value and, in histogram mode, the bound on its distance from the exact value
// (0 in exact mode).
struct ScoreEstimate {
  std::optional<double> value;
  double error_bound = 0.0;
};

struct BinaryScoreMetrics {
  uint64_t n = 0;
  ScoreEstimate roc_auc;
  ScoreEstimate average_precision;
  std::optional<double> log_loss;
  std::optional<double> brier;
  std::optional<double> ece;
  std::vector<std::string> warnings;
};

class BinaryScoreAccumulator {
 public:
  explicit BinaryScoreAccumulator(const ScoreOptions& options = {});

  // `score` is P(positive), finite and in [0, 1].
  void Update(bool positive, double score);
  // Histogram mode: undoes Update(positive, score) (its histogram count, running sums and
  // calibration bin). Exact mode, or a row that was never added: a programmer error (asserts in
  // debug builds, ignored otherwise). Log loss and Brier sums lose at most a few ulps.
  void Remove(bool positive, double score);
  // Histogram mode: appends the state (options, counts, sums, the sparse histogram) to `out`.
  // Exact mode is not encodable (asserts; writes nothing).
  void EncodeTo(ByteWriter& out) const;
  // Reads what EncodeTo wrote; kDataLoss (naming the offset) for truncated or inconsistent bytes
  // (histogram counts that disagree with the row counts, more than 2^20 bins).
  static Result<BinaryScoreAccumulator> DecodeFrom(ByteReader& in);
  // Adds `other`'s rows (exact: appends its scores; histogram: adds its counts). Merging parts
  // gives the same ranking metrics as accumulating the whole. kInvalidArgument when the options
  // (mode, histogram_bins, ece_bins) differ.
  Status Merge(const BinaryScoreAccumulator& other);
  // The same, taking other's stored scores instead of copying them; `other` is left unspecified.
  Status Merge(BinaryScoreAccumulator&& other);
  // Computes every metric; exact mode sorts a copy of the scores (O(n) radix sort), on
  // `parallel_for` when given (the result is the same).
  BinaryScoreMetrics Finish(const ParallelFor& parallel_for = nullptr) const;

  const ScoreOptions& options() const { return options_; }  // histogram/ece bins at least 1
  uint64_t count() const;                                   // rows so far
  // Bytes held by the accumulator's buffers (capacity): 8 per row (plus at most one partly
  // filled chunk) in exact mode, 16 per histogram bin in histogram mode, 32 per ECE bin.
  size_t MemoryBytes() const;

 private:
  ScoreOptions options_;
  ChunkedVector<uint64_t> exact_keys_;  // kExact: (score bits << 1) | positive, arrival order
  std::vector<uint64_t> hist_;          // kHistogram: [2 * bin] negatives, [2 * bin + 1] positives
  uint64_t positives_ = 0;
  uint64_t negatives_ = 0;
  CompensatedSum log_loss_sum_;
  CompensatedSum brier_sum_;
  std::vector<score_internal::CalibrationBin> ece_;
  double ece_step_;  // 1.0 / ece_bins, numpy.linspace's step
};

struct MulticlassScoreMetrics {
  uint64_t n = 0;
  ScoreEstimate roc_auc_macro;
  ScoreEstimate roc_auc_weighted;
  ScoreEstimate average_precision_macro;
  std::optional<double> log_loss;
  std::optional<double> brier;
  std::optional<double> ece;
  std::vector<std::string> warnings;
};

class MulticlassScoreAccumulator {
 public:
  // `class_names` (one per score column, in column order) are used in warnings.
  MulticlassScoreAccumulator(std::vector<std::string> class_names,
                             const ScoreOptions& options = {});

  // `scores` has one probability per class (same order as class_names), each in [0, 1];
  // `truth` is the index of the true class.
  void Update(uint32_t truth, std::span<const double> scores);
  // Histogram mode: undoes Update(truth, scores); as BinaryScoreAccumulator::Remove.
  void Remove(uint32_t truth, std::span<const double> scores);
  // Histogram mode: appends the state (class names, options, counts, sums, sparse histograms).
  void EncodeTo(ByteWriter& out) const;
  // Reads what EncodeTo wrote; kDataLoss for truncated or inconsistent bytes (more than 2^22
  // histogram bins over all classes).
  static Result<MulticlassScoreAccumulator> DecodeFrom(ByteReader& in);
  // Adds `other`'s rows. kInvalidArgument when the class names (and order) or options differ.
  Status Merge(const MulticlassScoreAccumulator& other);
  // The same, taking other's stored scores instead of copying them; `other` is left unspecified.
  Status Merge(MulticlassScoreAccumulator&& other);
  // Computes every metric; exact mode sorts each class's scores (scratch: 8 to 16 bytes per row,
  // one per chunk of classes). With `parallel_for` the classes are ranked in parallel chunks;
  // the result is the same.
  MulticlassScoreMetrics Finish(const ParallelFor& parallel_for = nullptr) const;

  uint32_t num_classes() const { return static_cast<uint32_t>(class_names_.size()); }
  const std::vector<std::string>& class_names() const { return class_names_; }
  const ScoreOptions& options() const { return options_; }  // histogram/ece bins at least 1
  // Bytes held by the accumulator's buffers (capacity): 8 per row and class (plus at most one
  // partly filled chunk per class and merged part) in exact mode, 16 per histogram bin and class in
  // histogram mode, 32 per ECE bin.
  size_t MemoryBytes() const;

 private:
  std::vector<std::string> class_names_;
  ScoreOptions options_;
  std::vector<ChunkedVector<uint64_t>> exact_keys_;  // kExact: per class, packed keys
  // kHistogram: flat, class k bin b at [2 * (k * bins + b)] negatives, [... + 1] positives.
  std::vector<uint64_t> hist_;
  uint64_t n_ = 0;
  CompensatedSum log_loss_sum_;
  CompensatedSum brier_sum_;
  std::vector<score_internal::CalibrationBin> ece_;
  double ece_step_;  // 1.0 / ece_bins, numpy.linspace's step
};

}  // namespace modelwatch
