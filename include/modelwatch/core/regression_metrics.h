// Streaming, mergeable regression metrics with scikit-learn 1.2 semantics:
// mean_absolute_error, mean_squared_error, RMSE = sqrt(MSE), mean_absolute_percentage_error
// (|y - yhat| / max(|y|, eps), eps = DBL_EPSILON, as sklearn), median_absolute_error, r2_score and
// explained_variance_score (force_finite: a constant y gives 1.0 for a perfect fit, else 0.0, with
// a warning), max_error.
//
// Sums use Neumaier compensation and the variances Welford/Chan updates, so results agree with
// numpy's two-pass computations to ~1e-12 relative even for 10M rows.
// Memory: constant, except median_absolute_error, which keeps every absolute error (8 bytes per
// row) when enabled (the default) and selects the median at Finish().
// Undefined values (empty input; R^2 and explained variance with fewer than two rows) are
// std::nullopt with a warning.
// Remove() takes a row back (the sums and moments are subtractable; max_error is not and keeps
// the largest error ever added); EncodeTo / DecodeFrom give a compact binary state, bit-exact,
// for embedding in a caller's framed format (the daemon's per-window state).
// Thread safety: not thread safe; accumulate per thread and Merge().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/compensated_sum.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

struct RegressionMetrics {
  uint64_t n = 0;
  std::optional<double> mae;
  std::optional<double> mse;
  std::optional<double> rmse;
  std::optional<double> mape;
  std::optional<double> median_ae;
  std::optional<double> r2;
  std::optional<double> explained_variance;
  std::optional<double> max_error;
  std::vector<std::string> warnings;
};

// Running mean and sum of squared deviations (Welford), mergeable (Chan et al.).
class RunningMoments {
 public:
  RunningMoments() = default;
  // The state of Add()s of `n` values with this mean and sum of squared deviations (for
  // deserialization).
  static RunningMoments FromParts(uint64_t n, double mean, double sum_squared_deviations) {
    RunningMoments m;
    m.n_ = n;
    m.mean_ = mean;
    m.m2_ = sum_squared_deviations;
    return m;
  }
  void Add(double x) {
    ++n_;
    double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x - mean_);
  }
  void Merge(const RunningMoments& o);
  // Undoes Add(x) (the inverse Welford step; x must have been added). Exact in real arithmetic;
  // in floating point the mean and sum of squares drift by a few ulps of their magnitude per
  // removal, and the sum of squares is clamped at 0.
  void Remove(double x);
  uint64_t count() const { return n_; }
  double mean() const { return mean_; }
  double sum_squared_deviations() const { return m2_; }  // sum (x - mean)^2

 private:
  uint64_t n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
};

class RegressionAccumulator {
 public:
  explicit RegressionAccumulator(bool keep_errors_for_median = true)
      : keep_errors_(keep_errors_for_median) {}

  // Both values finite (callers validate).
  void Update(double truth, double prediction);
  void Merge(const RegressionAccumulator& other);
  // Undoes Update(truth, prediction): the sums and moments exactly as far as floating point
  // allows (see RunningMoments::Remove); max_error is a maximum and cannot be taken back, so it
  // stays the largest error ever added. With the kept errors, one equal error is dropped.
  void Remove(double truth, double prediction);
  RegressionMetrics Finish() const;
  // Appends the state (sums bit-exact, the kept errors when enabled) to `out`.
  void EncodeTo(ByteWriter& out) const;
  // Reads what EncodeTo wrote; kDataLoss for truncated or inconsistent bytes.
  static Result<RegressionAccumulator> DecodeFrom(ByteReader& in);

  uint64_t count() const { return truth_moments_.count(); }
  size_t MemoryBytes() const { return abs_errors_.capacity() * sizeof(double); }

 private:
  bool keep_errors_;
  CompensatedSum abs_error_sum_;
  CompensatedSum squared_error_sum_;
  CompensatedSum percentage_error_sum_;
  RunningMoments truth_moments_;
  RunningMoments residual_moments_;  // of truth - prediction
  double max_error_ = 0.0;
  std::vector<double> abs_errors_;
};

}  // namespace modelwatch
