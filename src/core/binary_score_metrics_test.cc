#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "internal/score_test_data.h"
#include "modelwatch/core/score_metrics.h"

namespace modelwatch {
namespace {

using score_testing::BinaryData;
using score_testing::BinaryShape;
using score_testing::MakeBinaryData;
using ::testing::HasSubstr;

// 1e-12 relative (floor 1e-15 absolute for values near 0).
void ExpectClose(std::optional<double> actual, double expected) {
  ASSERT_TRUE(actual.has_value());
  EXPECT_NEAR(*actual, expected, std::max(1e-12 * std::abs(expected), 1e-15));
}

BinaryScoreAccumulator Accumulate(const BinaryData& d, const ScoreOptions& options = {}) {
  BinaryScoreAccumulator acc(options);
  for (size_t i = 0; i < d.score.size(); ++i) acc.Update(d.positive[i] != 0, d.score[i]);
  return acc;
}

BinaryScoreAccumulator Accumulate(const std::vector<int>& y, const std::vector<double>& s,
                                  const ScoreOptions& options = {}) {
  BinaryScoreAccumulator acc(options);
  for (size_t i = 0; i < y.size(); ++i) acc.Update(y[i] != 0, s[i]);
  return acc;
}

struct BinaryReference {
  uint64_t seed;
  size_t n;
  BinaryShape shape;
  double positive_rate;
  double roc_auc, average_precision, log_loss, brier, ece10, ece7;
};

// scikit-learn 1.2.1 on MakeBinaryData(seed, n, shape, positive_rate): roc_auc_score,
// average_precision_score, log_loss(labels=[0, 1]), brier_score_loss, and the ECE over
// calibration_curve(strategy='uniform') bins (script: docs/score-metrics.md).
const BinaryReference kBinaryReferences[] = {
    {1, 200, BinaryShape::kContinuous, 0.3, 0.7938436136336832, 0.5432842586757085,
     0.6185308919914428, 0.19431923837591605, 0.15121766155997857, 0.14967521951132834},
    {2, 200, BinaryShape::kTied, 0.3, 0.8286520376175548, 0.5768763671096272, 0.9902098914254729,
     0.17165000000000002, 0.1265, 0.12650000000000003},
    {3, 1000, BinaryShape::kContinuous, 0.05, 0.79226843529825, 0.14419134968620026,
     0.6416316651378414, 0.20395726175584492, 0.30280336483990916, 0.3028033648399092},
};

TEST(BinaryScoreMetricsTest, MatchesScikitLearnReferences) {
  for (const BinaryReference& ref : kBinaryReferences) {
    SCOPED_TRACE("seed " + std::to_string(ref.seed));
    const BinaryData d = MakeBinaryData(ref.seed, ref.n, ref.shape, ref.positive_rate);
    const BinaryScoreMetrics m = Accumulate(d).Finish();
    EXPECT_EQ(m.n, ref.n);
    ExpectClose(m.roc_auc.value, ref.roc_auc);
    ExpectClose(m.average_precision.value, ref.average_precision);
    EXPECT_EQ(m.roc_auc.error_bound, 0.0);
    EXPECT_EQ(m.average_precision.error_bound, 0.0);
    ExpectClose(m.log_loss, ref.log_loss);
    ExpectClose(m.brier, ref.brier);
    ExpectClose(m.ece, ref.ece10);
    EXPECT_TRUE(m.warnings.empty());

    ScoreOptions seven;
    seven.ece_bins = 7;
    ExpectClose(Accumulate(d, seven).Finish().ece, ref.ece7);
  }
}

TEST(BinaryScoreMetricsTest, TiesCountHalf) {
  // Pairs (positive, negative): (0.8, 0.8) tie, (0.8, 0.2) right, (0.4, 0.8) wrong,
  // (0.4, 0.2) right: AUC = 2.5 / 4. AP: thresholds 0.8 (P 1/2, R 1/2), 0.4 (P 2/3, R 1).
  const BinaryScoreMetrics m = Accumulate({1, 0, 1, 0}, {0.8, 0.8, 0.4, 0.2}).Finish();
  EXPECT_EQ(m.roc_auc.value, 0.625);
  ExpectClose(m.average_precision.value, 0.5 * 0.5 + 0.5 * 2.0 / 3.0);
  ExpectClose(m.log_loss, 0.7430039367341688);  // sklearn log_loss
  ExpectClose(m.brier, 0.27);
}

TEST(BinaryScoreMetricsTest, PerfectInvertedAndAllTied) {
  const BinaryScoreMetrics perfect = Accumulate({0, 0, 1, 1}, {0.1, 0.2, 0.8, 0.9}).Finish();
  EXPECT_EQ(perfect.roc_auc.value, 1.0);
  EXPECT_EQ(perfect.average_precision.value, 1.0);

  const BinaryScoreMetrics inverted = Accumulate({0, 0, 1, 1}, {0.9, 0.8, 0.2, 0.1}).Finish();
  EXPECT_EQ(inverted.roc_auc.value, 0.0);
  ExpectClose(inverted.average_precision.value, 0.5 * (1.0 / 3.0) + 0.5 * 0.5);

  // All tied: one threshold, AUC 1/2, AP = precision at it = P / n.
  const BinaryScoreMetrics tied = Accumulate({0, 1, 0, 1, 1}, {0.5, 0.5, 0.5, 0.5, 0.5}).Finish();
  EXPECT_EQ(tied.roc_auc.value, 0.5);
  ExpectClose(tied.average_precision.value, 0.6);
  ExpectClose(tied.brier, 0.25);
  ExpectClose(tied.log_loss, std::log(2.0));
  ExpectClose(tied.ece, 0.1);  // one bin: |3/5 - 1/2|
}

TEST(BinaryScoreMetricsTest, NegativeZeroIsZero) {
  const BinaryScoreMetrics m = Accumulate({0, 1}, {-0.0, 0.0}).Finish();
  EXPECT_EQ(m.roc_auc.value, 0.5);
  EXPECT_EQ(m.average_precision.value, 0.5);
}

TEST(BinaryScoreMetricsTest, LogLossClipsLikeScikitLearn) {
  // p = 0 for a positive and p = 1 for a negative: q = eps, loss = -log(eps / ((1 - eps) + eps)).
  const BinaryScoreMetrics m = Accumulate({1, 0}, {0.0, 1.0}).Finish();
  ExpectClose(m.log_loss, 36.04365338911715);  // sklearn log_loss([1, 0], [0.0, 1.0])
  ExpectClose(m.brier, 1.0);
  // Certain and right: the loss is -log(1 - eps), not 0.
  const BinaryScoreMetrics right = Accumulate({1, 0}, {1.0, 0.0}).Finish();
  ExpectClose(right.log_loss, -std::log1p(-DBL_EPSILON));
  EXPECT_EQ(right.brier, 0.0);
}

TEST(BinaryScoreMetricsTest, CalibrationBinsFollowNumpyEdges) {
  // Inner edge 3 of linspace(0, 1, 11) is 3 * 0.1 = 0.30000000000000004; a score equal to it
  // belongs to bin 2 (searchsorted side='left'), with 0.25; floor(p * 10) would say bin 3.
  const double edge = 3 * 0.1;
  const BinaryScoreMetrics m = Accumulate({1, 0}, {0.25, edge}).Finish();
  ExpectClose(m.ece, std::abs(0.5 - (0.25 + edge) / 2));
  // 1.0 is in the last bin and 0.0 in the first.
  const BinaryScoreMetrics ends = Accumulate({1, 0, 1}, {1.0, 0.0, 0.95}).Finish();
  ExpectClose(ends.ece, 2.0 / 3.0 * 0.025);
}

TEST(BinaryScoreMetricsTest, SingleClassAndEmpty) {
  const BinaryScoreMetrics only_positive = Accumulate({1, 1}, {0.3, 0.6}).Finish();
  EXPECT_FALSE(only_positive.roc_auc.value.has_value());
  EXPECT_EQ(only_positive.average_precision.value, 1.0);
  ExpectClose(only_positive.brier, (0.49 + 0.16) / 2);
  ASSERT_EQ(only_positive.warnings.size(), 1u);
  EXPECT_THAT(only_positive.warnings[0], HasSubstr("no negative rows"));

  const BinaryScoreMetrics only_negative = Accumulate({0, 0}, {0.3, 0.6}).Finish();
  EXPECT_FALSE(only_negative.roc_auc.value.has_value());
  EXPECT_FALSE(only_negative.average_precision.value.has_value());
  ExpectClose(only_negative.log_loss, -(std::log(0.7) + std::log(0.4)) / 2);
  EXPECT_THAT(only_negative.warnings,
              ::testing::ElementsAre(HasSubstr("roc_auc is undefined: no positive rows"),
                                     HasSubstr("average_precision is undefined")));

  for (ScoreMode mode : {ScoreMode::kExact, ScoreMode::kHistogram}) {
    ScoreOptions options;
    options.mode = mode;
    const BinaryScoreMetrics empty = BinaryScoreAccumulator(options).Finish();
    EXPECT_EQ(empty.n, 0u);
    EXPECT_FALSE(empty.roc_auc.value.has_value());
    EXPECT_FALSE(empty.average_precision.value.has_value());
    EXPECT_FALSE(empty.log_loss.has_value());
    EXPECT_FALSE(empty.brier.has_value());
    EXPECT_FALSE(empty.ece.has_value());
    EXPECT_THAT(empty.warnings, ::testing::ElementsAre(HasSubstr("no rows")));
  }
}

TEST(BinaryScoreMetricsTest, MergeOfPartsEqualsWhole) {
  const BinaryData d = MakeBinaryData(7, 3000, BinaryShape::kContinuous);
  for (ScoreMode mode : {ScoreMode::kExact, ScoreMode::kHistogram}) {
    ScoreOptions options;
    options.mode = mode;
    options.histogram_bins = 100;
    const BinaryScoreMetrics whole = Accumulate(d, options).Finish();
    BinaryScoreAccumulator parts[3] = {BinaryScoreAccumulator(options),
                                       BinaryScoreAccumulator(options),
                                       BinaryScoreAccumulator(options)};
    for (size_t i = 0; i < d.score.size(); ++i) parts[i % 3].Update(d.positive[i] != 0, d.score[i]);
    ASSERT_TRUE(parts[0].Merge(parts[1]).ok());
    ASSERT_TRUE(parts[0].Merge(parts[2]).ok());
    EXPECT_EQ(parts[0].count(), d.score.size());
    const BinaryScoreMetrics merged = parts[0].Finish();
    // The ranking metrics depend on counts only: identical.
    EXPECT_EQ(merged.roc_auc.value, whole.roc_auc.value);
    EXPECT_EQ(merged.roc_auc.error_bound, whole.roc_auc.error_bound);
    EXPECT_EQ(merged.average_precision.value, whole.average_precision.value);
    EXPECT_EQ(merged.average_precision.error_bound, whole.average_precision.error_bound);
    ExpectClose(merged.log_loss, *whole.log_loss);
    ExpectClose(merged.brier, *whole.brier);
    ExpectClose(merged.ece, *whole.ece);
  }
}

TEST(BinaryScoreMetricsTest, MergeWithItselfDoublesEveryCount) {
  BinaryScoreAccumulator acc = Accumulate({1, 0, 1, 0}, {0.8, 0.8, 0.4, 0.2});
  ASSERT_TRUE(acc.Merge(acc).ok());
  EXPECT_EQ(acc.count(), 8u);
  const BinaryScoreMetrics m = acc.Finish();
  EXPECT_EQ(m.roc_auc.value, 0.625);
  ExpectClose(m.brier, 0.27);
}

TEST(BinaryScoreMetricsTest, MergeRejectsDifferentOptions) {
  ScoreOptions histogram;
  histogram.mode = ScoreMode::kHistogram;
  ScoreOptions other_bins = histogram;
  other_bins.histogram_bins = 10;
  ScoreOptions other_ece;
  other_ece.ece_bins = 15;
  BinaryScoreAccumulator exact;
  EXPECT_EQ(exact.Merge(BinaryScoreAccumulator(histogram)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(exact.Merge(BinaryScoreAccumulator(other_ece)).code(), StatusCode::kInvalidArgument);
  BinaryScoreAccumulator hist(histogram);
  EXPECT_EQ(hist.Merge(BinaryScoreAccumulator(other_bins)).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hist.Merge(BinaryScoreAccumulator(histogram)).ok());
}

TEST(BinaryScoreMetricsTest, MemoryPerMode) {
  const BinaryData d = MakeBinaryData(5, 10000, BinaryShape::kContinuous);
  const BinaryScoreAccumulator exact = Accumulate(d);
  EXPECT_GE(exact.MemoryBytes(), 8 * d.score.size());
  EXPECT_LE(exact.MemoryBytes(), 2 * 8 * d.score.size() + 4096);

  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  options.histogram_bins = 1000;
  BinaryScoreAccumulator hist(options);
  const size_t before = hist.MemoryBytes();
  EXPECT_GE(before, 16u * 1000);
  for (size_t i = 0; i < d.score.size(); ++i) hist.Update(d.positive[i] != 0, d.score[i]);
  EXPECT_EQ(hist.MemoryBytes(), before);
  EXPECT_EQ(hist.count(), d.score.size());
}

TEST(BinaryScoreMetricsTest, ZeroBinsAreTreatedAsOne) {
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  options.histogram_bins = 0;
  options.ece_bins = 0;
  BinaryScoreAccumulator acc = Accumulate({1, 0}, {0.9, 0.1}, options);
  EXPECT_EQ(acc.options().histogram_bins, 1u);
  const BinaryScoreMetrics m = acc.Finish();
  EXPECT_EQ(m.roc_auc.value, 0.5);  // one bin: one tie group
  EXPECT_EQ(m.roc_auc.error_bound, 0.5);
  ExpectClose(m.ece, 0.0);  // one bin: |1/2 - 1/2|
}

// Histogram mode: Remove undoes Update; EncodeTo / DecodeFrom round-trip and refuse bad bytes.
TEST(BinaryScoreAccumulatorTest, HistogramRemoveAndEncoding) {
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  options.histogram_bins = 100;
  BinaryScoreAccumulator kept(options), with_removed(options);
  for (int i = 0; i < 200; ++i) {
    const bool positive = i % 3 == 0;
    const double score = (i * 37 % 100) / 100.0;
    with_removed.Update(positive, score);
    if (i % 4 == 0) {
      with_removed.Remove(positive, score);
    } else {
      kept.Update(positive, score);
    }
  }
  const BinaryScoreMetrics a = with_removed.Finish(), b = kept.Finish();
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.roc_auc.value, b.roc_auc.value);
  EXPECT_EQ(a.average_precision.value, b.average_precision.value);
  EXPECT_NEAR(*a.log_loss, *b.log_loss, 1e-12);
  EXPECT_NEAR(*a.brier, *b.brier, 1e-12);
  EXPECT_NEAR(*a.ece, *b.ece, 1e-12);

  ByteWriter out;
  kept.EncodeTo(out);
  ByteReader in(out.bytes(), "test");
  Result<BinaryScoreAccumulator> back = BinaryScoreAccumulator::DecodeFrom(in);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(in.ExpectEnd().ok());
  ByteWriter again;
  back->EncodeTo(again);
  EXPECT_EQ(again.bytes(), out.bytes());
  EXPECT_EQ(back->Finish().log_loss, b.log_loss);
  for (size_t cut = 0; cut < out.size(); ++cut) {
    ByteReader truncated(std::string_view(out.bytes()).substr(0, cut), "test");
    Result<BinaryScoreAccumulator> r = BinaryScoreAccumulator::DecodeFrom(truncated);
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
}

}  // namespace
}  // namespace modelwatch
