// BinaryScoreAccumulator: per-row running sums (log loss, Brier, calibration bins) plus either
// every packed score (exact mode) or a score histogram; ranking metrics at Finish() through the
// shared primitives of internal/score_ranking.h.

#include <algorithm>
#include <cassert>
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

void BinaryScoreAccumulator::Remove(bool positive, double score) {
  uint64_t& rows = positive ? positives_ : negatives_;
  if (options_.mode != ScoreMode::kHistogram) {
    assert(false && "BinaryScoreAccumulator::Remove needs histogram mode");
    return;
  }
  uint64_t& bin =
      hist_[2 * size_t{score_internal::HistogramBin(score, options_.histogram_bins)} + positive];
  if (bin == 0 || rows == 0) {
    assert(false && "BinaryScoreAccumulator::Remove: the row was never added");
    return;
  }
  --bin;
  --rows;
  log_loss_sum_.Add(-score_internal::BinaryLogLoss(positive, score));
  const double residual = (positive ? 1.0 : 0.0) - score;
  brier_sum_.Add(-(residual * residual));
  score_internal::RemoveCalibration(ece_, ece_step_, score, positive);
}

void BinaryScoreAccumulator::EncodeTo(ByteWriter& out) const {
  if (options_.mode != ScoreMode::kHistogram) {
    assert(false && "BinaryScoreAccumulator::EncodeTo needs histogram mode");
    return;
  }
  out.PutVarint(options_.histogram_bins);
  out.PutVarint(options_.ece_bins);
  out.PutVarint(positives_);
  out.PutVarint(negatives_);
  score_internal::EncodeSum(log_loss_sum_, out);
  score_internal::EncodeSum(brier_sum_, out);
  score_internal::EncodeCalibration(ece_, out);
  score_internal::EncodeSparseCounts(hist_, out);
}

Result<BinaryScoreAccumulator> BinaryScoreAccumulator::DecodeFrom(ByteReader& in) {
  const size_t at = in.offset();
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  MW_ASSIGN_OR_RETURN(const uint64_t bins, in.ReadVarint("histogram bins"));
  if (bins < 1 || bins > (uint64_t{1} << 20)) {
    return in.Corrupt(at, "histogram bins out of range [1, 2^20]");
  }
  // A calibration bin takes at least 18 bytes.
  MW_ASSIGN_OR_RETURN(const uint64_t ece_bins, in.ReadCount("ece bins", uint64_t{1} << 16, 18));
  if (ece_bins < 1) return in.Corrupt(at, "no calibration bins");
  options.histogram_bins = static_cast<uint32_t>(bins);
  options.ece_bins = static_cast<uint32_t>(ece_bins);
  BinaryScoreAccumulator acc(options);
  MW_ASSIGN_OR_RETURN(acc.positives_, in.ReadVarint("positives"));
  MW_ASSIGN_OR_RETURN(acc.negatives_, in.ReadVarint("negatives"));
  MW_ASSIGN_OR_RETURN(acc.log_loss_sum_, score_internal::DecodeSum(in, "log loss sum"));
  MW_ASSIGN_OR_RETURN(acc.brier_sum_, score_internal::DecodeSum(in, "brier sum"));
  MW_RETURN_IF_ERROR(score_internal::DecodeCalibration(in, acc.ece_));
  const size_t hist_at = in.offset();
  MW_RETURN_IF_ERROR(score_internal::DecodeSparseCounts(in, acc.hist_, "score histogram"));
  uint64_t counted[2] = {0, 0};
  for (size_t i = 0; i < acc.hist_.size(); ++i) counted[i % 2] += acc.hist_[i];
  uint64_t calibrated = 0;
  for (const score_internal::CalibrationBin& b : acc.ece_) calibrated += b.count;
  if (counted[0] != acc.negatives_ || counted[1] != acc.positives_ ||
      calibrated != acc.negatives_ + acc.positives_) {
    return in.Corrupt(hist_at, "score histogram does not add up to the row counts");
  }
  return acc;
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
