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

void RunningMoments::Remove(double x) {
  if (n_ <= 1) {
    *this = RunningMoments();
    return;
  }
  const double previous_mean = mean_ + (mean_ - x) / static_cast<double>(n_ - 1);
  m2_ -= (x - previous_mean) * (x - mean_);
  if (m2_ < 0.0) m2_ = 0.0;
  mean_ = previous_mean;
  --n_;
}

void RegressionAccumulator::Remove(double truth, double prediction) {
  if (count() == 0) return;
  const double residual = truth - prediction;
  const double abs_error = std::fabs(residual);
  abs_error_sum_.Add(-abs_error);
  squared_error_sum_.Add(-(residual * residual));
  percentage_error_sum_.Add(-(abs_error / std::max(std::fabs(truth), DBL_EPSILON)));
  truth_moments_.Remove(truth);
  residual_moments_.Remove(residual);
  if (keep_errors_) {
    auto it = std::find(abs_errors_.begin(), abs_errors_.end(), abs_error);
    if (it != abs_errors_.end()) {
      *it = abs_errors_.back();
      abs_errors_.pop_back();
    }
  }
}

namespace {

void EncodeMoments(const RunningMoments& m, ByteWriter& out) {
  out.PutVarint(m.count());
  out.PutDouble(m.mean());
  out.PutDouble(m.sum_squared_deviations());
}

Result<RunningMoments> DecodeMoments(ByteReader& in, std::string_view what) {
  MW_ASSIGN_OR_RETURN(const uint64_t n, in.ReadVarint(what));
  MW_ASSIGN_OR_RETURN(const double mean, in.ReadDouble(what));
  MW_ASSIGN_OR_RETURN(const double m2, in.ReadDouble(what));
  return RunningMoments::FromParts(n, mean, m2);
}

void EncodeSum(const CompensatedSum& sum, ByteWriter& out) {
  out.PutDouble(sum.sum());
  out.PutDouble(sum.compensation());
}

Result<CompensatedSum> DecodeSum(ByteReader& in, std::string_view what) {
  MW_ASSIGN_OR_RETURN(const double sum, in.ReadDouble(what));
  MW_ASSIGN_OR_RETURN(const double compensation, in.ReadDouble(what));
  return CompensatedSum::FromParts(sum, compensation);
}

}  // namespace

void RegressionAccumulator::EncodeTo(ByteWriter& out) const {
  out.PutU8(keep_errors_ ? 1 : 0);
  EncodeSum(abs_error_sum_, out);
  EncodeSum(squared_error_sum_, out);
  EncodeSum(percentage_error_sum_, out);
  EncodeMoments(truth_moments_, out);
  EncodeMoments(residual_moments_, out);
  out.PutDouble(max_error_);
  if (!keep_errors_) return;
  out.PutVarint(abs_errors_.size());
  for (double e : abs_errors_) out.PutDouble(e);
}

Result<RegressionAccumulator> RegressionAccumulator::DecodeFrom(ByteReader& in) {
  const size_t at = in.offset();
  MW_ASSIGN_OR_RETURN(const uint8_t keep, in.ReadU8("keep errors flag"));
  if (keep > 1) return in.Corrupt(at, "keep errors flag is not 0 or 1");
  RegressionAccumulator acc(keep == 1);
  MW_ASSIGN_OR_RETURN(acc.abs_error_sum_, DecodeSum(in, "absolute error sum"));
  MW_ASSIGN_OR_RETURN(acc.squared_error_sum_, DecodeSum(in, "squared error sum"));
  MW_ASSIGN_OR_RETURN(acc.percentage_error_sum_, DecodeSum(in, "percentage error sum"));
  const size_t moments_at = in.offset();
  MW_ASSIGN_OR_RETURN(acc.truth_moments_, DecodeMoments(in, "truth moments"));
  MW_ASSIGN_OR_RETURN(acc.residual_moments_, DecodeMoments(in, "residual moments"));
  if (acc.truth_moments_.count() != acc.residual_moments_.count()) {
    return in.Corrupt(moments_at, "truth and residual row counts differ");
  }
  MW_ASSIGN_OR_RETURN(acc.max_error_, in.ReadDouble("max error"));
  if (!acc.keep_errors_) return acc;
  const size_t errors_at = in.offset();
  MW_ASSIGN_OR_RETURN(const uint64_t n, in.ReadCount("error count", UINT64_MAX, 8));
  if (n != acc.count()) return in.Corrupt(errors_at, "kept errors differ from the row count");
  acc.abs_errors_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    MW_ASSIGN_OR_RETURN(const double e, in.ReadDouble("absolute error"));
    acc.abs_errors_.push_back(e);
  }
  return acc;
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
