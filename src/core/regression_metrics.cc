#include "modelwatch/core/regression_metrics.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace modelwatch {

void RunningMoments::Merge(const RunningMoments& o) {
  if (o.n_ == 0) return;
  if (n_ == 0) {
    *this = o;
    return;
  }
  const double n = static_cast<double>(n_ + o.n_);
  const double delta = o.mean_ - mean_;
  mean_ += delta * static_cast<double>(o.n_) / n;
  m2_ += o.m2_ + delta * delta * static_cast<double>(n_) * static_cast<double>(o.n_) / n;
  n_ += o.n_;
}

void RegressionAccumulator::Update(double truth, double prediction) {
  const double residual = truth - prediction;
  const double abs_error = std::fabs(residual);
  abs_error_sum_.Add(abs_error);
  squared_error_sum_.Add(residual * residual);
  percentage_error_sum_.Add(abs_error / std::max(std::fabs(truth), DBL_EPSILON));
  truth_moments_.Add(truth);
  residual_moments_.Add(residual);
  if (abs_error > max_error_) max_error_ = abs_error;
  if (keep_errors_) abs_errors_.push_back(abs_error);
}

void RegressionAccumulator::Merge(const RegressionAccumulator& other) {
  abs_error_sum_.Merge(other.abs_error_sum_);
  squared_error_sum_.Merge(other.squared_error_sum_);
  percentage_error_sum_.Merge(other.percentage_error_sum_);
  truth_moments_.Merge(other.truth_moments_);
  residual_moments_.Merge(other.residual_moments_);
  max_error_ = std::max(max_error_, other.max_error_);
  keep_errors_ = keep_errors_ && other.keep_errors_;
  if (keep_errors_) {
    abs_errors_.insert(abs_errors_.end(), other.abs_errors_.begin(), other.abs_errors_.end());
  } else {
    abs_errors_.clear();
  }
}

namespace {

// np.median: the middle value, or the mean of the two middle values.
double Median(std::vector<double> values) {
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(mid));
  return (lower + upper) / 2.0;
}

// 1 - numerator/denominator with sklearn's force_finite rule for a constant truth.
std::optional<double> ForceFiniteScore(double numerator, double denominator, const char* name,
                                       std::vector<std::string>* warnings) {
  if (denominator != 0.0) return 1.0 - numerator / denominator;
  warnings->push_back(std::string(name) + ": the truth is constant; reported as " +
                      (numerator == 0.0 ? "1.0 (perfect fit)" : "0.0") +
                      ", as scikit-learn does (force_finite)");
  return numerator == 0.0 ? 1.0 : 0.0;
}

}  // namespace

RegressionMetrics RegressionAccumulator::Finish() const {
  RegressionMetrics m;
  m.n = count();
  if (m.n == 0) {
    m.warnings.push_back("no rows: every regression metric is undefined");
    return m;
  }
  const double n = static_cast<double>(m.n);
  m.mae = abs_error_sum_.value() / n;
  m.mse = squared_error_sum_.value() / n;
  m.rmse = std::sqrt(*m.mse);
  m.mape = percentage_error_sum_.value() / n;
  m.max_error = max_error_;
  if (keep_errors_) m.median_ae = Median(abs_errors_);
  const double ss_res = squared_error_sum_.value();
  const double ss_tot = truth_moments_.sum_squared_deviations();
  if (m.n < 2) {
    m.warnings.push_back("r2 is undefined with fewer than two rows");
  } else {
    m.r2 = ForceFiniteScore(ss_res, ss_tot, "r2", &m.warnings);
  }
  m.explained_variance = ForceFiniteScore(residual_moments_.sum_squared_deviations() / n,
                                          ss_tot / n, "explained_variance", &m.warnings);
  return m;
}

}  // namespace modelwatch
