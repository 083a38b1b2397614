// Tests of the shared ranking primitives (internal/score_ranking.h) and of histogram mode: the
// estimate's distance from the exact value never exceeds its bound, the bound is attained, and
// it is small for fine histograms.

#include "internal/score_ranking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "internal/score_test_data.h"
#include "modelwatch/core/score_metrics.h"

namespace modelwatch {
namespace {

using score_internal::CalibrationBinIndex;
using score_internal::HistogramBin;
using score_internal::PackScoreKey;
using score_internal::SortScoreKeys;
using score_internal::SortScratch;
using score_testing::TestRng;

// Rounding allowance of the two computations compared (estimate and exact value).
constexpr double kRounding = 1e-13;

bool ByScore(uint64_t a, uint64_t b) { return (a >> 1) < (b >> 1); }

// Keys of several shapes: spread, float-valued, coarse, subnormal, end points, and concentrated
// (most keys share their top bits, so large buckets are split again, nested in shape 6).
std::vector<std::vector<uint64_t>> KeyShapes(TestRng& rng, size_t n) {
  std::vector<std::vector<uint64_t>> shapes(7);
  for (size_t i = 0; i < n; ++i) {
    const double u = rng.Uniform();
    const bool label = rng.Below(2) == 1;
    shapes[0].push_back(PackScoreKey(u, label));
    shapes[1].push_back(PackScoreKey(static_cast<float>(u), label));
    shapes[2].push_back(PackScoreKey(std::floor(u * 8) / 8, label));
    shapes[3].push_back(PackScoreKey(std::ldexp(u, -900), label));
    shapes[4].push_back(PackScoreKey(i % 3 == 0 ? 1.0 : (i % 3 == 1 ? 0.0 : u), label));
    shapes[5].push_back(PackScoreKey(i % 50 == 0 ? u : 0.5 + std::ldexp(u, -30), label));
    const int scale = i % 50 == 0 ? 0 : (i % 49 == 0 ? 1 : (i % 48 == 0 ? 2 : 3));
    shapes[6].push_back(PackScoreKey(0.5 + std::ldexp(u, -2 - 15 * scale), label));
  }
  return shapes;
}

constexpr size_t kSizes[] = {0, 1, 2, 3, 47, 49, 100, 300, 5000, 40000, 100000, 400000};

TEST(ScoreRankingTest, RadixSortOrdersByScore) {
  TestRng rng(1);
  SortScratch scratch;
  for (size_t n : kSizes) {
    SCOPED_TRACE("n " + std::to_string(n));
    for (const std::vector<uint64_t>& keys : KeyShapes(rng, n)) {
      const std::span<const uint64_t> sorted = SortScoreKeys(keys, &scratch);
      ASSERT_EQ(sorted.size(), keys.size());
      EXPECT_TRUE(std::is_sorted(sorted.begin(), sorted.end(), ByScore));
      std::vector<uint64_t> expected = keys;
      std::vector<uint64_t> actual(sorted.begin(), sorted.end());
      std::sort(expected.begin(), expected.end());
      std::sort(actual.begin(), actual.end());
      EXPECT_EQ(actual, expected);  // a permutation of the input
    }
  }
}

// Reference: std::sort, then the textbook definitions with long double accumulation; checks
// ExactRanking of `keys` against it.
void ExpectMatchesComparisonSort(const std::vector<uint64_t>& keys, SortScratch* scratch) {
  std::vector<uint64_t> sorted = keys;
  std::sort(sorted.begin(), sorted.end(), ByScore);
  uint64_t tp = 0, fp = 0;
  long double pairs2 = 0, ap = 0;  // 2U; sum of pos_g * precision_g
  for (size_t i = sorted.size(); i > 0;) {
    size_t j = i;
    uint64_t pos = 0;
    while (j > 0 && (sorted[j - 1] >> 1) == (sorted[i - 1] >> 1)) pos += sorted[--j] & 1;
    const uint64_t neg = (i - j) - pos;
    pairs2 += static_cast<long double>(neg) * (2 * tp + pos);
    tp += pos;
    fp += neg;
    if (pos > 0) ap += static_cast<long double>(pos) * tp / (tp + fp);
    i = j;
  }
  const score_internal::RankingResult r = score_internal::ExactRanking(keys, scratch);
  EXPECT_EQ(r.positives, tp);
  EXPECT_EQ(r.negatives, fp);
  ASSERT_EQ(r.roc_auc.has_value(), tp > 0 && fp > 0);
  if (r.roc_auc) {
    EXPECT_NEAR(r.roc_auc->value, static_cast<double>(pairs2 / (2.0L * tp * fp)), 1e-15);
  }
  ASSERT_EQ(r.average_precision.has_value(), tp > 0);
  if (r.average_precision) {
    EXPECT_NEAR(r.average_precision->value, static_cast<double>(ap / tp), 1e-14);
  }
}

TEST(ScoreRankingTest, ExactRankingMatchesComparisonSort) {
  TestRng rng(2);
  SortScratch scratch;
  for (size_t n : kSizes) {
    SCOPED_TRACE("n " + std::to_string(n));
    for (const std::vector<uint64_t>& keys : KeyShapes(rng, n)) {
      ExpectMatchesComparisonSort(keys, &scratch);
    }
  }
}

// Runs without a positive are counted, not sorted: rare, frequent, no and only positives, and
// positives tied with negatives, over the same shapes.
TEST(ScoreRankingTest, ExactRankingWithFewOrManyPositives) {
  TestRng rng(3);
  SortScratch scratch;
  for (size_t n : {size_t{100}, size_t{5000}, size_t{40000}, size_t{300000}}) {
    for (uint64_t per_mille : {0, 1, 20, 300, 990, 1000}) {
      SCOPED_TRACE("n " + std::to_string(n) + ", positives per mille " + std::to_string(per_mille));
      std::vector<std::vector<uint64_t>> shapes = KeyShapes(rng, n);
      // Half the keys on one score among close neighbours: one long run inside a split.
      shapes.emplace_back();
      for (size_t i = 0; i < n; ++i) {
        shapes.back().push_back(
            PackScoreKey(i % 2 ? 0.5 : 0.5 + std::ldexp(rng.Uniform(), -20), 0));
      }
      for (std::vector<uint64_t> keys : shapes) {
        for (uint64_t& key : keys) key = (key & ~uint64_t{1}) | (rng.Below(1000) < per_mille);
        ExpectMatchesComparisonSort(keys, &scratch);
        // Every positive tied with a negative: a copy of each key with the other label.
        std::vector<uint64_t> tied = keys;
        for (size_t i = 0; i < keys.size(); i += 7) tied.push_back(keys[i] ^ 1);
        ExpectMatchesComparisonSort(tied, &scratch);
      }
    }
  }
}

// The first count looks at bits guessed from the keys at both ends: keys in the middle far out of
// their range (a score of 0, subnormals, 1) make it count again, and ends that hold one score
// make it take a pass of its own.
TEST(ScoreRankingTest, ExactRankingCountsAgainWhenTheSampleMisleads) {
  TestRng rng(4);
  SortScratch scratch;
  for (size_t n : {size_t{50000}, size_t{200000}}) {
    std::vector<std::vector<uint64_t>> shapes(4);
    for (size_t i = 0; i < n; ++i) {
      const bool middle = i > n / 4 && i < 3 * n / 4;
      const double u = rng.Uniform();
      const bool label = rng.Below(4) == 0;
      // Ends in [0.5, 1), a few extremes in the middle.
      const double extreme =
          i % 1000 == 0 ? 0.0 : (i % 1000 == 1 ? 5e-324 : (i % 1000 == 2 ? 1.0 : u));
      shapes[0].push_back(PackScoreKey(middle ? extreme : 0.5 + u / 2, label));
      // Ends on one score.
      shapes[1].push_back(PackScoreKey(middle ? u : 0.75, label));
      // Ends near 0.5, the middle spread over [0, 1).
      shapes[2].push_back(PackScoreKey(middle ? u * u : 0.5 + std::ldexp(u, -20), label));
      // Everything one score but one key in the middle.
      shapes[3].push_back(PackScoreKey(i == n / 2 ? 0.25 : 0.5, label));
    }
    for (const std::vector<uint64_t>& keys : shapes) {
      SCOPED_TRACE("n " + std::to_string(n));
      ExpectMatchesComparisonSort(keys, &scratch);
      const score_internal::RankingResult whole = score_internal::ExactRanking(keys, &scratch);
      const std::span<const uint64_t> all(keys);
      const score_internal::RankingResult parallel = score_internal::ExactRanking(
          std::span<const std::span<const uint64_t>>(&all, 1), &scratch,
          [](size_t count, const std::function<void(size_t, size_t)>& body) { body(0, count); });
      ASSERT_EQ(parallel.roc_auc.has_value(), whole.roc_auc.has_value());
      if (whole.roc_auc) {
        EXPECT_EQ(parallel.roc_auc->value, whole.roc_auc->value);
      }
      ASSERT_EQ(parallel.average_precision.has_value(), whole.average_precision.has_value());
      if (whole.average_precision) {
        EXPECT_EQ(parallel.average_precision->value, whole.average_precision->value);
      }
    }
  }
}

// Keys split into segments and ranked with or without a ParallelFor give bit-identical results
// (the grouping of buckets depends on the data alone).
TEST(ScoreRankingTest, ExactRankingSameForSegmentsAndThreads) {
  TestRng rng(5);
  SortScratch scratch;
  // Runs body on up to 3 chunks in sequence, in reverse order: a stand-in for threads that
  // also checks that the chunks are independent.
  const ParallelFor three_chunks = [](size_t n, const std::function<void(size_t, size_t)>& body) {
    const size_t step = (n + 2) / 3;
    for (size_t begin = (n == 0 ? 0 : ((n - 1) / step) * step);; begin -= step) {
      body(begin, std::min(n, begin + step));
      if (begin == 0) break;
    }
  };
  for (size_t n : {size_t{40000}, size_t{40001}, size_t{300000}, size_t{300007}, size_t{1} << 20}) {
    SCOPED_TRACE("n " + std::to_string(n));
    for (const std::vector<uint64_t>& keys : KeyShapes(rng, n)) {
      const score_internal::RankingResult whole = score_internal::ExactRanking(keys, &scratch);
      std::vector<std::span<const uint64_t>> segments;
      for (size_t begin = 0; begin < keys.size(); begin += 77777) {
        segments.emplace_back(keys.data() + begin, std::min<size_t>(77777, keys.size() - begin));
      }
      const score_internal::RankingResult split =
          score_internal::ExactRanking(segments, &scratch, three_chunks);
      EXPECT_EQ(split.positives, whole.positives);
      EXPECT_EQ(split.negatives, whole.negatives);
      ASSERT_EQ(split.roc_auc.has_value(), whole.roc_auc.has_value());
      if (whole.roc_auc) {
        EXPECT_EQ(split.roc_auc->value, whole.roc_auc->value);
      }
      ASSERT_EQ(split.average_precision.has_value(), whole.average_precision.has_value());
      if (whole.average_precision) {
        EXPECT_EQ(split.average_precision->value, whole.average_precision->value);
      }
    }
  }
}

TEST(ScoreRankingTest, RadixSortSkipsConstantDigits) {
  // All equal: no pass, the input itself comes back.
  const std::vector<uint64_t> same(1000, PackScoreKey(0.25, true));
  SortScratch scratch;
  EXPECT_EQ(SortScoreKeys(same, &scratch).data(), same.data());
  // Differing labels only: still no pass (the label is not a sort key).
  std::vector<uint64_t> labels = same;
  for (size_t i = 0; i < labels.size(); i += 2) labels[i] = PackScoreKey(0.25, false);
  EXPECT_EQ(SortScoreKeys(labels, &scratch).data(), labels.data());
}

TEST(ScoreRankingTest, PackedKeysOrderLikeScores) {
  const double scores[] = {0.0, 4.9e-324, 1e-300, 0.1, 0.30000000000000004, 0.5, 1.0 - 1e-16, 1.0};
  for (size_t i = 1; i < std::size(scores); ++i) {
    EXPECT_LT(PackScoreKey(scores[i - 1], true), PackScoreKey(scores[i], false));
  }
  EXPECT_EQ(PackScoreKey(-0.0, false), PackScoreKey(0.0, false));
  EXPECT_EQ(PackScoreKey(0.5, true), PackScoreKey(0.5, false) | 1);
}

TEST(ScoreRankingTest, CalibrationBinMatchesSearchsorted) {
  // Reference: the number of inner edges i * (1.0 / bins) (numpy.linspace) strictly below p.
  for (uint32_t bins : {1u, 2u, 3u, 7u, 10u, 15u, 100u, 1000u}) {
    const double step = 1.0 / bins;
    std::vector<double> probes = {0.0, 1.0, 4.9e-324, std::nextafter(1.0, 0.0)};
    for (uint32_t i = 1; i < bins; ++i) {
      const double edge = static_cast<double>(i) * step;
      probes.push_back(edge);
      probes.push_back(std::nextafter(edge, 0.0));
      probes.push_back(std::nextafter(edge, 1.0));
      probes.push_back(static_cast<double>(i) / bins);
    }
    TestRng rng(bins);
    for (int r = 0; r < 1000; ++r) probes.push_back(rng.Uniform());
    for (double p : probes) {
      uint32_t expected = 0;
      for (uint32_t i = 1; i < bins; ++i) expected += static_cast<double>(i) * step < p;
      ASSERT_EQ(CalibrationBinIndex(p, bins, step), expected) << "bins " << bins << " p " << p;
    }
  }
}

TEST(ScoreHistogramTest, BinOfScore) {
  EXPECT_EQ(HistogramBin(0.0, 10), 0u);
  EXPECT_EQ(HistogramBin(0.0999, 10), 0u);
  EXPECT_EQ(HistogramBin(0.1, 10), 1u);
  EXPECT_EQ(HistogramBin(0.95, 10), 9u);
  EXPECT_EQ(HistogramBin(1.0, 10), 9u);
  EXPECT_EQ(HistogramBin(1.0, 1), 0u);
  EXPECT_EQ(HistogramBin(std::nextafter(1.0, 0.0), 10000), 9999u);
}

// Scores for the bound tests: several shapes, smooth and tied.
double MakeScore(TestRng& rng, int shape, bool positive) {
  const double u = rng.Uniform();
  switch (shape) {
    case 0:  // separable-ish, smooth
      return positive ? std::sqrt(u) : u * u;
    case 1:  // heavy ties: 21 distinct values
      return std::floor((positive ? std::sqrt(u) : u) * 20) / 20;
    case 2:  // float-valued, concentrated near 0 and 1
      return static_cast<float>(positive ? 1 - u * u * u * u : u * u * u * u);
    case 3:  // uninformative
      return u;
    default:  // inverted
      return positive ? u * u : std::sqrt(u);
  }
}

struct Observed {
  double max_auc_ratio = 0.0;  // largest |exact - estimate| / bound
  double max_ap_ratio = 0.0;
};

TEST(ScoreHistogramTest, BinaryEstimateWithinBound) {
  Observed observed;
  int cases = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    for (int shape = 0; shape < 5; ++shape) {
      for (uint32_t bins : {1u, 2u, 10u, 97u, 1000u}) {
        TestRng rng(seed * 100 + shape);
        const size_t n = 50 + rng.Below(3000);
        const double positive_rate = 0.02 + 0.9 * rng.Uniform();
        ScoreOptions hist_options;
        hist_options.mode = ScoreMode::kHistogram;
        hist_options.histogram_bins = bins;
        BinaryScoreAccumulator exact;
        BinaryScoreAccumulator hist(hist_options);
        for (size_t i = 0; i < n; ++i) {
          const bool positive = rng.Uniform() < positive_rate;
          const double score = MakeScore(rng, shape, positive);
          exact.Update(positive, score);
          hist.Update(positive, score);
        }
        const BinaryScoreMetrics e = exact.Finish();
        const BinaryScoreMetrics h = hist.Finish();
        SCOPED_TRACE("seed " + std::to_string(seed) + " shape " + std::to_string(shape) + " bins " +
                     std::to_string(bins));
        ASSERT_EQ(e.roc_auc.value.has_value(), h.roc_auc.value.has_value());
        if (e.roc_auc.value) {
          const double err = std::abs(*e.roc_auc.value - *h.roc_auc.value);
          EXPECT_LE(err, h.roc_auc.error_bound + kRounding);
          if (h.roc_auc.error_bound > 0) {
            observed.max_auc_ratio = std::max(observed.max_auc_ratio, err / h.roc_auc.error_bound);
          }
        }
        ASSERT_TRUE(e.average_precision.value.has_value());
        const double err = std::abs(*e.average_precision.value - *h.average_precision.value);
        EXPECT_LE(err, h.average_precision.error_bound + kRounding);
        if (h.average_precision.error_bound > 0) {
          observed.max_ap_ratio =
              std::max(observed.max_ap_ratio, err / h.average_precision.error_bound);
        }
        // Running sums are exact in both modes.
        EXPECT_NEAR(*h.log_loss, *e.log_loss, 1e-15 * *e.log_loss);
        EXPECT_NEAR(*h.brier, *e.brier, 1e-15);
        EXPECT_EQ(h.ece, e.ece);
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 300);
  // The bounds are not vacuous: on some case the error uses a good part of them.
  EXPECT_GT(observed.max_auc_ratio, 0.1);
  EXPECT_GT(observed.max_ap_ratio, 0.1);
  std::printf("binary: max |exact - estimate| / bound: roc_auc %.3f, average_precision %.3f\n",
              observed.max_auc_ratio, observed.max_ap_ratio);
}

TEST(ScoreHistogramTest, FineHistogramBoundIsSmall) {
  // 10000 bins, 200000 smooth scores: both bounds well below 1e-3, and the actual errors below
  // their bounds.
  TestRng rng(99);
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  BinaryScoreAccumulator exact;
  BinaryScoreAccumulator hist(options);
  for (int i = 0; i < 200000; ++i) {
    const bool positive = rng.Uniform() < 0.2;
    const double score = MakeScore(rng, 0, positive);
    exact.Update(positive, score);
    hist.Update(positive, score);
  }
  const BinaryScoreMetrics e = exact.Finish();
  const BinaryScoreMetrics h = hist.Finish();
  EXPECT_LT(h.roc_auc.error_bound, 1e-4);
  EXPECT_LT(h.average_precision.error_bound, 1e-3);
  EXPECT_LE(std::abs(*e.roc_auc.value - *h.roc_auc.value), h.roc_auc.error_bound);
  EXPECT_LE(std::abs(*e.average_precision.value - *h.average_precision.value),
            h.average_precision.error_bound);
  std::printf(
      "10000 bins, 200000 rows: roc_auc error %.3g bound %.3g; average_precision error %.3g bound "
      "%.3g\n",
      std::abs(*e.roc_auc.value - *h.roc_auc.value), h.roc_auc.error_bound,
      std::abs(*e.average_precision.value - *h.average_precision.value),
      h.average_precision.error_bound);
}

// Bins of width 1/10; within bin b, scores b/10 + 0.01 * j for j = 1..9 are all in bin b.
double InBin(int bin, int j) { return bin / 10.0 + 0.01 * j; }

TEST(ScoreHistogramTest, AucBoundIsAttained) {
  // In every bin, positives above negatives: the exact AUC is the estimate plus the bound.
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  options.histogram_bins = 10;
  BinaryScoreAccumulator exact;
  BinaryScoreAccumulator hist(options);
  const int positives_per_bin[] = {1, 0, 2, 3, 1, 0, 4, 2, 1, 3};
  const int negatives_per_bin[] = {3, 2, 2, 1, 4, 1, 1, 0, 2, 1};
  for (int b = 0; b < 10; ++b) {
    for (int i = 0; i < positives_per_bin[b]; ++i) {
      exact.Update(true, InBin(b, 8));
      hist.Update(true, InBin(b, 8));
    }
    for (int i = 0; i < negatives_per_bin[b]; ++i) {
      exact.Update(false, InBin(b, 1 + i % 3));
      hist.Update(false, InBin(b, 1 + i % 3));
    }
  }
  const BinaryScoreMetrics e = exact.Finish();
  const BinaryScoreMetrics h = hist.Finish();
  ASSERT_GT(h.roc_auc.error_bound, 0.0);
  EXPECT_NEAR(*e.roc_auc.value, *h.roc_auc.value + h.roc_auc.error_bound, 1e-15);
}

TEST(ScoreHistogramTest, AveragePrecisionRangeIsAttainedAtBothEnds) {
  // Highest AP: in each bin the positives tied, above the negatives. Lowest: the negatives on
  // top, the positives at distinct scores below them. Bins with up to 70 positives exercise both
  // the summed and the closed-form lower range (kExactBelowTerms = 64).
  const int positives_per_bin[] = {2, 0, 3, 5, 1, 0, 70, 2, 6, 3};
  const int negatives_per_bin[] = {3, 2, 4, 1, 4, 1, 30, 0, 2, 1};
  std::vector<uint64_t> counts(20);
  for (int b = 0; b < 10; ++b) {
    counts[2 * b] = negatives_per_bin[b];
    counts[2 * b + 1] = positives_per_bin[b];
  }
  const score_internal::RankingResult h = score_internal::HistogramRanking(counts);
  ASSERT_TRUE(h.average_precision.has_value());
  const score_internal::RankedValue est = *h.average_precision;
  EXPECT_GT(est.above, 0.0);
  EXPECT_GT(est.below, 0.0);
  SortScratch scratch;
  for (bool highest : {true, false}) {
    std::vector<uint64_t> keys;
    for (int b = 0; b < 10; ++b) {
      const double low = b / 10.0;
      for (int i = 0; i < positives_per_bin[b]; ++i) {
        keys.push_back(PackScoreKey(highest ? low + 0.09 : low + 0.001 * (1 + i), true));
      }
      for (int i = 0; i < negatives_per_bin[b]; ++i) {
        keys.push_back(PackScoreKey(highest ? low + 0.0001 * i : low + 0.09, false));
      }
    }
    const score_internal::RankingResult e = score_internal::ExactRanking(keys, &scratch);
    ASSERT_TRUE(e.average_precision.has_value());
    const double exact = e.average_precision->value;
    if (highest) {
      EXPECT_NEAR(exact, est.value + est.above, 1e-15);
    } else {
      // Attained up to the closed form's slack for the 70-positive bin, O((fp0 + n) / (D + 64)^3)
      // / P (3.4e-9 here).
      EXPECT_LE(est.value - est.below, exact + 1e-15);
      EXPECT_NEAR(exact, est.value - est.below, 1e-8);
    }
  }
}

TEST(ScoreHistogramTest, PureBinsWithoutNegativesAboveAreExact) {
  // Positives all above negatives and in their own bins: no ordering inside a bin matters.
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  options.histogram_bins = 4;
  BinaryScoreAccumulator hist(options);
  for (double s : {0.9, 0.95, 0.8}) hist.Update(true, s);
  for (double s : {0.1, 0.2, 0.3}) hist.Update(false, s);
  const BinaryScoreMetrics h = hist.Finish();
  EXPECT_EQ(h.roc_auc.value, 1.0);
  EXPECT_EQ(h.roc_auc.error_bound, 0.0);
  EXPECT_EQ(h.average_precision.value, 1.0);
  EXPECT_EQ(h.average_precision.error_bound, 0.0);
}

TEST(ScoreHistogramTest, ExactModeHasNoBound) {
  const score_testing::BinaryData d =
      score_testing::MakeBinaryData(4, 500, score_testing::BinaryShape::kTied);
  BinaryScoreAccumulator exact;
  for (size_t i = 0; i < d.score.size(); ++i) exact.Update(d.positive[i] != 0, d.score[i]);
  const BinaryScoreMetrics m = exact.Finish();
  EXPECT_EQ(m.roc_auc.error_bound, 0.0);
  EXPECT_EQ(m.average_precision.error_bound, 0.0);
}

TEST(ScoreHistogramTest, MulticlassEstimateWithinBound) {
  double max_ratio[3] = {0, 0, 0};
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    for (uint32_t bins : {1u, 5u, 50u, 1000u}) {
      const uint32_t classes = 2 + static_cast<uint32_t>(seed % 9);
      const auto shape = seed % 2 == 0 ? score_testing::MulticlassShape::kTied
                                       : score_testing::MulticlassShape::kContinuous;
      const score_testing::MulticlassData d =
          score_testing::MakeMulticlassData(seed, 200 + 150 * seed, classes, shape);
      std::vector<std::string> names;
      for (uint32_t k = 0; k < classes; ++k) names.push_back("c" + std::to_string(k));
      ScoreOptions options;
      options.mode = ScoreMode::kHistogram;
      options.histogram_bins = bins;
      MulticlassScoreAccumulator exact(names);
      MulticlassScoreAccumulator hist(names, options);
      for (size_t i = 0; i < d.truth.size(); ++i) {
        const std::span<const double> row(&d.scores[i * classes], classes);
        exact.Update(d.truth[i], row);
        hist.Update(d.truth[i], row);
      }
      const MulticlassScoreMetrics e = exact.Finish();
      const MulticlassScoreMetrics h = hist.Finish();
      SCOPED_TRACE("seed " + std::to_string(seed) + " bins " + std::to_string(bins));
      const std::pair<const ScoreEstimate*, const ScoreEstimate*> pairs[] = {
          {&e.roc_auc_macro, &h.roc_auc_macro},
          {&e.roc_auc_weighted, &h.roc_auc_weighted},
          {&e.average_precision_macro, &h.average_precision_macro}};
      for (int i = 0; i < 3; ++i) {
        const auto& [ex, est] = pairs[i];
        ASSERT_TRUE(ex->value && est->value);
        EXPECT_EQ(ex->error_bound, 0.0);
        const double err = std::abs(*ex->value - *est->value);
        EXPECT_LE(err, est->error_bound + kRounding);
        if (est->error_bound > 0) max_ratio[i] = std::max(max_ratio[i], err / est->error_bound);
      }
      EXPECT_NEAR(*h.log_loss, *e.log_loss, 1e-15 * *e.log_loss);
      EXPECT_EQ(h.ece, e.ece);
    }
  }
  EXPECT_GT(max_ratio[0], 0.05);
  EXPECT_GT(max_ratio[2], 0.05);
  std::printf("multiclass: max |exact - estimate| / bound: auc macro %.3f weighted %.3f ap %.3f\n",
              max_ratio[0], max_ratio[1], max_ratio[2]);
}

}  // namespace
}  // namespace modelwatch
