// Ranking and calibration primitives shared by BinaryScoreAccumulator and
// MulticlassScoreAccumulator (one binary problem per class, one-vs-rest): the exact-mode key
// packing and radix sort, the tie-group sweep that yields ROC AUC and average precision from
// (positives, negatives) per group in descending score order, the histogram estimate with its
// attainable range, and the calibration-curve binning. Definitions and proofs:
// docs/score-metrics.md. Implemented in score_ranking.cc.
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/score_metrics.h"

namespace modelwatch::score_internal {

// Exact-mode key of one score: the IEEE-754 bits of `score` shifted left by one, the label in
// bit 0. For scores in [0, 1] the sign bit is 0, so unsigned order of the keys is numeric order
// of the scores (then the label). -0.0 becomes +0.0 (-0.0 + 0.0 == +0.0 in round-to-nearest).
inline uint64_t PackScoreKey(double score, bool positive) {
  return (std::bit_cast<uint64_t>(score + 0.0) << 1) | static_cast<uint64_t>(positive);
}

// Scratch space of SortScoreKeys and ExactRanking, grown on demand and reused across calls (one
// per class in multiclass Finish()): the output of the first scatter (n keys), a spare buffer as
// large as the largest bucket that does not fit the cache (none for spread-out scores), a
// cache-sized buffer, and SortScoreKeys' result (n keys); uninitialized.
class SortScratch {
 public:
  uint64_t* output(size_t n) { return Grow(&output_, &output_size_, n); }
  uint64_t* spare(size_t n) { return Grow(&spare_, &spare_size_, n); }
  uint64_t* cache(size_t n) { return Grow(&cache_, &cache_size_, n); }
  uint64_t* sorted(size_t n) { return Grow(&sorted_, &sorted_size_, n); }

 private:
  static uint64_t* Grow(std::unique_ptr<uint64_t[]>* buffer, size_t* size, size_t n) {
    if (*size < n) {
      buffer->reset();  // release before allocating: peak memory stays at one buffer of n
      *buffer = std::make_unique_for_overwrite<uint64_t[]>(n);
      *size = n;
    }
    return buffer->get();
  }
  std::unique_ptr<uint64_t[]> output_;
  std::unique_ptr<uint64_t[]> spare_;
  std::unique_ptr<uint64_t[]> cache_;
  std::unique_ptr<uint64_t[]> sorted_;
  size_t output_size_ = 0;
  size_t spare_size_ = 0;
  size_t cache_size_ = 0;
  size_t sorted_size_ = 0;
};

// Sorts packed keys by score (key >> 1) with a radix sort on the bits that vary. Out of cache,
// most significant bits first: the top (up to 15) varying bits are counted and runs of their
// values grouped into buckets of about 16K keys whatever the distribution, so one scatter pass
// over memory usually suffices (more only where many keys share those bits). In cache, each bucket
// is split once more by its next (up to 13) bits into runs of one or two keys, which one insertion
// sort over the bucket finishes (longer runs are split again), or, when its keys vary in fewer
// than 26 bits (float-valued or rounded scores), sorted by two LSD passes. The label bit is not a
// sort key: within one score the labels come in any order. `keys` is not modified; the result
// lies in `scratch` or, when all scores are equal, is `keys` itself; it is valid until the next
// use of `scratch`. Keys must be < 2^63 (scores in [0, 1]).
std::span<const uint64_t> SortScoreKeys(std::span<const uint64_t> keys, SortScratch* scratch);

// A metric value with the range of exact values consistent with the data it came from:
// exact in [value - below, value + above]. Both are 0 in exact mode.
struct RankedValue {
  double value = 0.0;
  double below = 0.0;
  double above = 0.0;
  double error_bound() const { return std::max(below, above); }
};

// ROC AUC and average precision of one binary problem.
struct RankingResult {
  uint64_t positives = 0;
  uint64_t negatives = 0;
  std::optional<RankedValue> roc_auc;            // nullopt unless positives > 0 && negatives > 0
  std::optional<RankedValue> average_precision;  // nullopt unless positives > 0
};

// Exact ROC AUC (roc_auc_score) and average precision (average_precision_score) of unsorted
// packed keys: the sort of SortScoreKeys, each cache-sized bucket swept (highest scores first)
// as soon as it is sorted, so the sorted array is never written out. Negatives need no order
// among themselves: in cache, the runs of a split that hold no positive are counted, not sorted.
RankingResult ExactRanking(std::span<const uint64_t> keys, SortScratch* scratch);
// The same over keys held in several segments (ChunkedVector::chunks()), read in place. Above
// kCacheKeys keys, one scatter pass splits them into buckets, which are sorted and swept in
// groups, each from the positives and negatives of the groups above it. With `parallel_for`
// (nullptr: the calling thread) the groups, and the passes over the input (cut into parts), run
// on the caller's threads; the result does not depend on them.
RankingResult ExactRanking(std::span<const std::span<const uint64_t>> segments,
                           SortScratch* scratch, const ParallelFor& parallel_for);

// Histogram estimate: `counts` holds 2 * bins values, [2 * b] negatives and [2 * b + 1] positives
// of bin b (bins in ascending score order). Each bin is one tie group; `below`/`above` bound the
// exact value over every ordering of the scores inside the bins (docs/score-metrics.md).
RankingResult HistogramRanking(std::span<const uint64_t> counts);

// Histogram bin of a score in [0, 1]: min(bins - 1, floor(score * bins)), monotone in score.
inline uint32_t HistogramBin(double score, uint32_t bins) {
  return std::min(bins - 1, static_cast<uint32_t>(score * static_cast<double>(bins)));
}

// Calibration bin of probability p, as calibration_curve(strategy='uniform'):
// numpy.searchsorted(linspace(0, 1, bins + 1)[1:-1], p, side='left'), i.e. the number of inner
// edges e_i = i * (1.0 / bins) (numpy's arithmetic) that are < p. `step` is 1.0 / bins.
inline uint32_t CalibrationBinIndex(double p, uint32_t bins, double step) {
  uint32_t j = std::min(bins - 1, static_cast<uint32_t>(std::max(p, 0.0) * bins));
  while (j > 0 && !(static_cast<double>(j) * step < p)) --j;
  while (j + 1 < bins && static_cast<double>(j + 1) * step < p) ++j;
  return j;
}

inline void AddCalibration(std::span<CalibrationBin> bins, double step, double p, bool hit) {
  CalibrationBin& bin = bins[CalibrationBinIndex(p, static_cast<uint32_t>(bins.size()), step)];
  ++bin.count;
  bin.hits += hit;
  bin.prob_sum.Add(p);
}

// Undoes AddCalibration(bins, step, p, hit) (histogram-mode removal). A bin that is already empty
// is left alone (removing what was never added is a programmer error).
inline void RemoveCalibration(std::span<CalibrationBin> bins, double step, double p, bool hit) {
  CalibrationBin& bin = bins[CalibrationBinIndex(p, static_cast<uint32_t>(bins.size()), step)];
  if (bin.count == 0 || (hit && bin.hits == 0)) return;
  --bin.count;
  bin.hits -= hit;
  bin.prob_sum.Add(-p);
}

void MergeCalibration(std::span<const CalibrationBin> from, std::span<CalibrationBin> into);

// Serialization pieces of the histogram-mode accumulators (their EncodeTo / DecodeFrom).
// A compensated sum as its two doubles (exact round trip).
void EncodeSum(const CompensatedSum& sum, ByteWriter& out);
Result<CompensatedSum> DecodeSum(ByteReader& in, std::string_view what);
// Calibration bins: per bin count, hits (varints) and the probability sum.
void EncodeCalibration(std::span<const CalibrationBin> bins, ByteWriter& out);
// Reads bins.size() bins; kDataLoss when hits > count in a bin.
Status DecodeCalibration(ByteReader& in, std::span<CalibrationBin> bins);
// Counts, sparse: the number of non-zero entries, then per entry the gap from the previous
// non-zero index (the first: its index) and the value. Most histogram bins are empty.
void EncodeSparseCounts(std::span<const uint64_t> counts, ByteWriter& out);
// Reads into `counts` (zeroed first, size fixed by the caller); kDataLoss for an index out of
// range or a zero value (not canonical).
Status DecodeSparseCounts(ByteReader& in, std::span<uint64_t> counts, std::string_view what);

// sum_b (n_b / n) |hits_b / n_b - prob_sum_b / n_b| over non-empty bins; nullopt when empty.
std::optional<double> ExpectedCalibrationError(std::span<const CalibrationBin> bins);

// log_loss clipping: p into [eps, 1 - eps], eps = DBL_EPSILON (numpy.clip).
inline double ClipProbability(double p) {
  return std::min(std::max(p, DBL_EPSILON), 1.0 - DBL_EPSILON);
}

// Binary log loss of one row exactly as sklearn computes it: columns (1 - q, q) of the clipped q,
// divided by their sum, minus the log of the true column.
inline double BinaryLogLoss(bool positive, double p) {
  double q = ClipProbability(p);
  double q0 = 1.0 - q;
  double sum = q0 + q;
  return -std::log((positive ? q : q0) / sum);
}

// Bytes held by a vector's buffer.
template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

}  // namespace modelwatch::score_internal
