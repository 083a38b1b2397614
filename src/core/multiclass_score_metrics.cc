// MulticlassScoreAccumulator: one binary ranking problem per class (one-vs-rest) on the shared
// primitives of internal/score_ranking.h, plus per-row running sums (log loss, Brier, top-label
// calibration bins).

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <string>
#include <utility>

#include "internal/score_ranking.h"
#include "modelwatch/core/score_metrics.h"

namespace modelwatch {
namespace {

using score_internal::RankedValue;
using score_internal::RankingResult;

ScoreOptions Normalized(ScoreOptions options) {
  options.histogram_bins = std::max<uint32_t>(options.histogram_bins, 1);
  options.ece_bins = std::max<uint32_t>(options.ece_bins, 1);
  return options;
}

// Weighted mean of the values (and of their ranges) that are defined; nullopt when none is.
class RankedMean {
 public:
  void Add(const RankedValue& v, double weight) {
    value_.Add(weight * v.value);
    below_.Add(weight * v.below);
    above_.Add(weight * v.above);
    weight_.Add(weight);
  }
  ScoreEstimate Get() const {
    const double w = weight_.value();
    if (!(w > 0.0)) return {};
    RankedValue mean{value_.value() / w, below_.value() / w, above_.value() / w};
    return {mean.value, mean.error_bound()};
  }

 private:
  CompensatedSum value_, below_, above_, weight_;
};

// numpy.argmax: the first index of the largest score (scores are finite). Two running maxima,
// over the even and the odd indices, halve the chain of dependent compares of one scan.
size_t FirstArgmax(std::span<const double> scores) {
  size_t even = 0;
  size_t odd = scores.size() > 1 ? 1 : 0;
  for (size_t k = 2; k + 1 < scores.size(); k += 2) {
    even = scores[k] > scores[even] ? k : even;
    odd = scores[k + 1] > scores[odd] ? k + 1 : odd;
  }
  if (scores.size() % 2 == 1 && scores.size() > 1) {
    const size_t last = scores.size() - 1;
    even = scores[last] > scores[even] ? last : even;
  }
  // The larger of the two; on a tie the smaller index.
  return scores[odd] > scores[even] || (scores[odd] == scores[even] && odd < even) ? odd : even;
}

std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += "'" + name + "'";
  }
  return out;
}

}  // namespace

MulticlassScoreAccumulator::MulticlassScoreAccumulator(std::vector<std::string> class_names,
                                                       const ScoreOptions& options)
    : class_names_(std::move(class_names)),
      options_(Normalized(options)),
      ece_(options_.ece_bins),
      ece_step_(1.0 / options_.ece_bins) {
  if (options_.mode == ScoreMode::kExact) {
    exact_keys_.resize(class_names_.size());
  } else {
    hist_.assign(2 * class_names_.size() * options_.histogram_bins, 0);
  }
}

void MulticlassScoreAccumulator::Update(uint32_t truth, std::span<const double> scores) {
  const size_t num = class_names_.size();
  if (truth >= num || scores.size() != num) {
    assert(false && "MulticlassScoreAccumulator::Update: truth or scores out of range");
    return;
  }
  ++n_;
  if (options_.mode == ScoreMode::kExact) {
    for (size_t k = 0; k < num; ++k) {
      exact_keys_[k].push_back(score_internal::PackScoreKey(scores[k], k == truth));
    }
  } else {
    const uint32_t bins = options_.histogram_bins;
    uint64_t* hist = hist_.data();
    for (size_t k = 0; k < num; ++k, hist += 2 * size_t{bins}) {
      ++hist[2 * size_t{score_internal::HistogramBin(scores[k], bins)} + (k == truth)];
    }
  }
  double clipped_sum = 0.0;
  double brier = 0.0;
  for (size_t k = 0; k < num; ++k) {
    const double p = scores[k];
    clipped_sum += score_internal::ClipProbability(p);
    const double residual = p - (k == truth ? 1.0 : 0.0);
    brier += residual * residual;
  }
  const size_t argmax = FirstArgmax(scores);
  log_loss_sum_.Add(-std::log(score_internal::ClipProbability(scores[truth]) / clipped_sum));
  brier_sum_.Add(brier);
  score_internal::AddCalibration(ece_, ece_step_, scores[argmax], argmax == truth);
}

void MulticlassScoreAccumulator::Remove(uint32_t truth, std::span<const double> scores) {
  const size_t num = class_names_.size();
  if (options_.mode != ScoreMode::kHistogram || truth >= num || scores.size() != num || n_ == 0) {
    assert(false && "MulticlassScoreAccumulator::Remove: exact mode or a row never added");
    return;
  }
  const uint32_t bins = options_.histogram_bins;
  for (size_t k = 0; k < num; ++k) {
    uint64_t& bin =
        hist_[2 * (k * bins + score_internal::HistogramBin(scores[k], bins)) + (k == truth)];
    if (bin == 0) {
      assert(false && "MulticlassScoreAccumulator::Remove: the row was never added");
      return;
    }
  }
  --n_;
  for (size_t k = 0; k < num; ++k) {
    --hist_[2 * (k * bins + score_internal::HistogramBin(scores[k], bins)) + (k == truth)];
  }
  double clipped_sum = 0.0;
  double brier = 0.0;
  for (size_t k = 0; k < num; ++k) {
    const double p = scores[k];
    clipped_sum += score_internal::ClipProbability(p);
    const double residual = p - (k == truth ? 1.0 : 0.0);
    brier += residual * residual;
  }
  const size_t argmax = FirstArgmax(scores);
  log_loss_sum_.Add(std::log(score_internal::ClipProbability(scores[truth]) / clipped_sum));
  brier_sum_.Add(-brier);
  score_internal::RemoveCalibration(ece_, ece_step_, scores[argmax], argmax == truth);
}

void MulticlassScoreAccumulator::EncodeTo(ByteWriter& out) const {
  if (options_.mode != ScoreMode::kHistogram) {
    assert(false && "MulticlassScoreAccumulator::EncodeTo needs histogram mode");
    return;
  }
  out.PutVarint(class_names_.size());
  for (const std::string& name : class_names_) out.PutString(name);
  out.PutVarint(options_.histogram_bins);
  out.PutVarint(options_.ece_bins);
  out.PutVarint(n_);
  score_internal::EncodeSum(log_loss_sum_, out);
  score_internal::EncodeSum(brier_sum_, out);
  score_internal::EncodeCalibration(ece_, out);
  score_internal::EncodeSparseCounts(hist_, out);
}

Result<MulticlassScoreAccumulator> MulticlassScoreAccumulator::DecodeFrom(ByteReader& in) {
  MW_ASSIGN_OR_RETURN(const uint64_t num, in.ReadCount("class count", uint64_t{1} << 16, 1));
  std::vector<std::string> names;
  names.reserve(num);
  for (uint64_t k = 0; k < num; ++k) {
    MW_ASSIGN_OR_RETURN(std::string_view name, in.ReadString("class name"));
    names.emplace_back(name);
  }
  const size_t at = in.offset();
  MW_ASSIGN_OR_RETURN(const uint64_t bins, in.ReadVarint("histogram bins"));
  if (bins < 1 || num * bins > (uint64_t{1} << 22)) {
    return in.Corrupt(at, "histogram bins out of range (at most 2^22 over all classes)");
  }
  MW_ASSIGN_OR_RETURN(const uint64_t ece_bins, in.ReadCount("ece bins", uint64_t{1} << 16, 18));
  if (ece_bins < 1) return in.Corrupt(at, "no calibration bins");
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  options.histogram_bins = static_cast<uint32_t>(bins);
  options.ece_bins = static_cast<uint32_t>(ece_bins);
  MulticlassScoreAccumulator acc(std::move(names), options);
  MW_ASSIGN_OR_RETURN(acc.n_, in.ReadVarint("rows"));
  MW_ASSIGN_OR_RETURN(acc.log_loss_sum_, score_internal::DecodeSum(in, "log loss sum"));
  MW_ASSIGN_OR_RETURN(acc.brier_sum_, score_internal::DecodeSum(in, "brier sum"));
  MW_RETURN_IF_ERROR(score_internal::DecodeCalibration(in, acc.ece_));
  const size_t hist_at = in.offset();
  MW_RETURN_IF_ERROR(score_internal::DecodeSparseCounts(in, acc.hist_, "score histograms"));
  const size_t width = 2 * size_t{options.histogram_bins};
  for (size_t k = 0; k < num; ++k) {
    uint64_t rows = 0;
    for (size_t i = 0; i < width; ++i) rows += acc.hist_[k * width + i];
    if (rows != acc.n_) return in.Corrupt(hist_at, "a class histogram does not add up to the rows");
  }
  uint64_t calibrated = 0;
  for (const score_internal::CalibrationBin& b : acc.ece_) calibrated += b.count;
  if (calibrated != acc.n_)
    return in.Corrupt(hist_at, "calibration bins do not add up to the rows");
  return acc;
}

Status MulticlassScoreAccumulator::Merge(const MulticlassScoreAccumulator& other) {
  MulticlassScoreAccumulator copy = other;
  return Merge(std::move(copy));
}

Status MulticlassScoreAccumulator::Merge(MulticlassScoreAccumulator&& other) {
  if (other.class_names_ != class_names_) {
    return InvalidArgumentError("MulticlassScoreAccumulator::Merge: classes differ");
  }
  if (other.options_.mode != options_.mode ||
      other.options_.histogram_bins != options_.histogram_bins ||
      other.options_.ece_bins != options_.ece_bins) {
    return InvalidArgumentError(
        "MulticlassScoreAccumulator::Merge: options differ (mode, histogram_bins or ece_bins)");
  }
  if (&other == this) {
    MulticlassScoreAccumulator copy = other;
    return Merge(std::move(copy));
  }
  for (size_t k = 0; k < exact_keys_.size(); ++k) {
    exact_keys_[k].Append(std::move(other.exact_keys_[k]));
  }
  for (size_t i = 0; i < hist_.size(); ++i) hist_[i] += other.hist_[i];
  n_ += other.n_;
  log_loss_sum_.Merge(other.log_loss_sum_);
  brier_sum_.Merge(other.brier_sum_);
  score_internal::MergeCalibration(other.ece_, ece_);
  return Status::Ok();
}

size_t MulticlassScoreAccumulator::MemoryBytes() const {
  size_t bytes = score_internal::VectorBytes(exact_keys_) + score_internal::VectorBytes(hist_) +
                 score_internal::VectorBytes(ece_);
  for (const ChunkedVector<uint64_t>& keys : exact_keys_) bytes += keys.capacity_bytes();
  return bytes;
}

MulticlassScoreMetrics MulticlassScoreAccumulator::Finish(const ParallelFor& parallel_for) const {
  MulticlassScoreMetrics m;
  m.n = n_;
  if (n_ == 0) {
    m.warnings.push_back("no rows: every score metric is undefined");
    return m;
  }
  const size_t num = class_names_.size();
  RankedMean auc_macro, auc_weighted, ap_macro;
  std::vector<std::string> auc_left_out, ap_left_out;
  std::vector<RankingResult> rankings(num);
  // Each call of rank_classes takes the next class not yet taken until none is left, whatever
  // chunk parallel_for hands it: a thread that runs slower (another process on its core, more
  // positives in its classes) ranks fewer classes, instead of a fixed half of them.
  std::atomic<size_t> next_class{0};
  auto rank_classes = [&](size_t, size_t) {
    score_internal::SortScratch scratch;  // reused by the classes this call takes
    for (size_t k; (k = next_class.fetch_add(1, std::memory_order_relaxed)) < num;) {
      if (options_.mode == ScoreMode::kExact) {
        rankings[k] = score_internal::ExactRanking(exact_keys_[k].chunks(), &scratch, nullptr);
      } else {
        const size_t width = 2 * size_t{options_.histogram_bins};
        rankings[k] = score_internal::HistogramRanking(
            std::span<const uint64_t>(hist_).subspan(k * width, width));
      }
    }
  };
  if (parallel_for) {
    parallel_for(num, rank_classes);
  } else {
    rank_classes(0, num);
  }
  for (size_t k = 0; k < num; ++k) {
    const RankingResult& r = rankings[k];
    if (r.roc_auc) {
      auc_macro.Add(*r.roc_auc, 1.0);
      auc_weighted.Add(*r.roc_auc, static_cast<double>(r.positives));
    } else {
      auc_left_out.push_back(class_names_[k]);
    }
    if (r.average_precision) {
      ap_macro.Add(*r.average_precision, 1.0);
    } else {
      ap_left_out.push_back(class_names_[k]);
    }
  }
  m.roc_auc_macro = auc_macro.Get();
  m.roc_auc_weighted = auc_weighted.Get();
  m.average_precision_macro = ap_macro.Get();
  if (!m.roc_auc_macro.value) {
    m.warnings.push_back(
        "roc_auc is undefined: no class has both positive and negative rows (scikit-learn raises "
        "ValueError)");
  } else if (!auc_left_out.empty()) {
    m.warnings.push_back(
        "roc_auc: classes without positive or without negative rows are left out of the macro "
        "and weighted averages (scikit-learn raises ValueError): " +
        QuotedList(auc_left_out));
  }
  if (!m.average_precision_macro.value) {
    m.warnings.push_back("average_precision is undefined: no class has positive rows");
  } else if (!ap_left_out.empty()) {
    m.warnings.push_back(
        "average_precision: classes without positive rows are left out of the macro average "
        "(scikit-learn would average in 0.0): " +
        QuotedList(ap_left_out));
  }
  const double n = static_cast<double>(n_);
  m.log_loss = log_loss_sum_.value() / n;
  m.brier = brier_sum_.value() / n;
  m.ece = score_internal::ExpectedCalibrationError(ece_);
  return m;
}

}  // namespace modelwatch
