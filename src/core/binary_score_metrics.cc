// BinaryScoreAccumulator: per-row running sums (log loss, Brier, calibration bins) plus either
// every packed score (exact mode) or a score histogram; ranking metrics at Finish() through the
// shared primitives of internal/score_ranking.h.

#include <algorithm>
#include <string>
#include <utility>

#include "internal/score_ranking.h"
#include "modelwatch/core/score_metrics.h"

namespace modelwatch {
namespace {

using score_internal::RankedValue;

ScoreOptions Normalized(ScoreOptions options) {
  options.histogram_bins = std::max<uint32_t>(options.histogram_bins, 1);
  options.ece_bins = std::max<uint32_t>(options.ece_bins, 1);
  return options;
}

ScoreEstimate ToEstimate(const std::optional<RankedValue>& v) {
  if (!v) return {};
  return {v->value, v->error_bound()};
}

}  // namespace

BinaryScoreAccumulator::BinaryScoreAccumulator(const ScoreOptions& options)
    : options_(Normalized(options)), ece_(options_.ece_bins), ece_step_(1.0 / options_.ece_bins) {
  if (options_.mode == ScoreMode::kHistogram) hist_.assign(2 * size_t{options_.histogram_bins}, 0);
}

void BinaryScoreAccumulator::Update(bool positive, double score) {
  if (options_.mode == ScoreMode::kExact) {
    exact_keys_.push_back(score_internal::PackScoreKey(score, positive));
  } else {
    ++hist_[2 * size_t{score_internal::HistogramBin(score, options_.histogram_bins)} + positive];
  }
  (positive ? positives_ : negatives_) += 1;
  log_loss_sum_.Add(score_internal::BinaryLogLoss(positive, score));
  const double residual = (positive ? 1.0 : 0.0) - score;
  brier_sum_.Add(residual * residual);
  score_internal::AddCalibration(ece_, ece_step_, score, positive);
}

Status BinaryScoreAccumulator::Merge(const BinaryScoreAccumulator& other) {
  BinaryScoreAccumulator copy = other;
  return Merge(std::move(copy));
}

Status BinaryScoreAccumulator::Merge(BinaryScoreAccumulator&& other) {
  if (other.options_.mode != options_.mode ||
      other.options_.histogram_bins != options_.histogram_bins ||
      other.options_.ece_bins != options_.ece_bins) {
    return InvalidArgumentError(
        "BinaryScoreAccumulator::Merge: options differ (mode, histogram_bins or ece_bins)");
  }
  if (&other == this) {
    BinaryScoreAccumulator copy = other;
    return Merge(std::move(copy));
  }
  exact_keys_.Append(std::move(other.exact_keys_));
  for (size_t i = 0; i < hist_.size(); ++i) hist_[i] += other.hist_[i];
  positives_ += other.positives_;
  negatives_ += other.negatives_;
  log_loss_sum_.Merge(other.log_loss_sum_);
  brier_sum_.Merge(other.brier_sum_);
  score_internal::MergeCalibration(other.ece_, ece_);
  return Status::Ok();
}

uint64_t BinaryScoreAccumulator::count() const { return positives_ + negatives_; }

size_t BinaryScoreAccumulator::MemoryBytes() const {
  return exact_keys_.capacity_bytes() + score_internal::VectorBytes(hist_) +
         score_internal::VectorBytes(ece_);
}

BinaryScoreMetrics BinaryScoreAccumulator::Finish(const ParallelFor& parallel_for) const {
  BinaryScoreMetrics m;
  m.n = count();
  if (m.n == 0) {
    m.warnings.push_back("no rows: every score metric is undefined");
    return m;
  }
  score_internal::RankingResult ranking;
  if (options_.mode == ScoreMode::kExact) {
    score_internal::SortScratch scratch;
    ranking = score_internal::ExactRanking(exact_keys_.chunks(), &scratch, parallel_for);
  } else {
    ranking = score_internal::HistogramRanking(hist_);
  }
  m.roc_auc = ToEstimate(ranking.roc_auc);
  m.average_precision = ToEstimate(ranking.average_precision);
  if (positives_ == 0) {
    m.warnings.push_back("roc_auc is undefined: no positive rows (scikit-learn raises ValueError)");
    m.warnings.push_back(
        "average_precision is undefined: no positive rows (scikit-learn returns 0.0 with a "
        "warning)");
  } else if (negatives_ == 0) {
    m.warnings.push_back("roc_auc is undefined: no negative rows (scikit-learn raises ValueError)");
  }
  const double n = static_cast<double>(m.n);
  m.log_loss = log_loss_sum_.value() / n;
  m.brier = brier_sum_.value() / n;
  m.ece = score_internal::ExpectedCalibrationError(ece_);
  return m;
}

}  // namespace modelwatch
