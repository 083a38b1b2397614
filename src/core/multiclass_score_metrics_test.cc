#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "internal/score_test_data.h"
#include "modelwatch/core/score_metrics.h"

namespace modelwatch {
namespace {

using score_testing::MakeMulticlassData;
using score_testing::MulticlassData;
using score_testing::MulticlassShape;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void ExpectClose(std::optional<double> actual, double expected) {
  ASSERT_TRUE(actual.has_value());
  EXPECT_NEAR(*actual, expected, std::max(1e-12 * std::abs(expected), 1e-15));
}

std::vector<std::string> Names(uint32_t classes) {
  std::vector<std::string> names;
  for (uint32_t k = 0; k < classes; ++k) names.push_back("c" + std::to_string(k));
  return names;
}

MulticlassScoreAccumulator Accumulate(const MulticlassData& d, const ScoreOptions& options = {}) {
  MulticlassScoreAccumulator acc(Names(d.num_classes), options);
  for (size_t i = 0; i < d.truth.size(); ++i) {
    acc.Update(d.truth[i], std::span<const double>(&d.scores[i * d.num_classes], d.num_classes));
  }
  return acc;
}

MulticlassScoreMetrics Compute(const std::vector<uint32_t>& truth,
                               const std::vector<std::vector<double>>& rows) {
  MulticlassScoreAccumulator acc(Names(static_cast<uint32_t>(rows[0].size())));
  for (size_t i = 0; i < truth.size(); ++i) acc.Update(truth[i], rows[i]);
  return acc.Finish();
}

struct MulticlassReference {
  uint64_t seed;
  size_t n;
  uint32_t classes;
  MulticlassShape shape;
  uint32_t truth_classes;
  double roc_auc_macro, roc_auc_weighted, average_precision_macro, log_loss, brier, ece10, ece7;
};

// scikit-learn 1.2.1 on MakeMulticlassData(seed, n, classes, shape, truth_classes):
// roc_auc_score(multi_class='ovr', average='macro' / 'weighted'), average_precision_score on
// label_binarize(y) (average='macro'), log_loss(labels=all), mean of sum_k (p_k - [y = k])^2,
// top-label ECE over calibration_curve bins. Seed 13 has no row of class c2: its reference is
// the same per-class scikit-learn functions averaged over c0 and c1 (docs/score-metrics.md).
const MulticlassReference kMulticlassReferences[] = {
    {11, 300, 10, MulticlassShape::kContinuous, 10, 0.7709718480850278, 0.7695882900534203,
     0.2960693566853728, 1.8425679174086795, 0.818363376806263, 0.05596737681499122,
     0.04842308181012664},
    {12, 300, 4, MulticlassShape::kTied, 4, 0.9153376461147731, 0.915306003485714,
     0.7829771317472627, 0.8208901219683056, 0.4654025982483331, 0.20718761793761808,
     0.20718761793761803},
    {13, 200, 3, MulticlassShape::kContinuous, 2, 0.8489724310776943, 0.8487142857142856,
     0.8493461207313378, 0.7335363096853004, 0.4503303195611332, 0.11076728762071597,
     0.10824530752010339},
};

TEST(MulticlassScoreMetricsTest, MatchesScikitLearnReferences) {
  for (const MulticlassReference& ref : kMulticlassReferences) {
    SCOPED_TRACE("seed " + std::to_string(ref.seed));
    const MulticlassData d =
        MakeMulticlassData(ref.seed, ref.n, ref.classes, ref.shape, ref.truth_classes);
    const MulticlassScoreMetrics m = Accumulate(d).Finish();
    EXPECT_EQ(m.n, ref.n);
    ExpectClose(m.roc_auc_macro.value, ref.roc_auc_macro);
    ExpectClose(m.roc_auc_weighted.value, ref.roc_auc_weighted);
    ExpectClose(m.average_precision_macro.value, ref.average_precision_macro);
    EXPECT_EQ(m.roc_auc_macro.error_bound, 0.0);
    EXPECT_EQ(m.average_precision_macro.error_bound, 0.0);
    ExpectClose(m.log_loss, ref.log_loss);
    ExpectClose(m.brier, ref.brier);
    ExpectClose(m.ece, ref.ece10);
    if (ref.truth_classes == ref.classes) {
      EXPECT_TRUE(m.warnings.empty());
    } else {
      EXPECT_THAT(m.warnings, ElementsAre(HasSubstr("roc_auc: classes without positive"),
                                          HasSubstr("average_precision: classes without")));
      EXPECT_THAT(m.warnings[0], HasSubstr(": 'c2'"));
      EXPECT_THAT(m.warnings[1], HasSubstr(": 'c2'"));
    }
    ScoreOptions seven;
    seven.ece_bins = 7;
    ExpectClose(Accumulate(d, seven).Finish().ece, ref.ece7);
  }
}

TEST(MulticlassScoreMetricsTest, PerfectRanking) {
  const MulticlassScoreMetrics m =
      Compute({0, 1, 2, 2}, {{0.8, 0.1, 0.1}, {0.2, 0.7, 0.1}, {0.1, 0.3, 0.6}, {0.0, 0.0, 1.0}});
  EXPECT_EQ(m.roc_auc_macro.value, 1.0);
  EXPECT_EQ(m.roc_auc_weighted.value, 1.0);
  EXPECT_EQ(m.average_precision_macro.value, 1.0);
  // Brier: row sums of squared residuals 0.06, 0.14, 0.26, 0.
  ExpectClose(m.brier, (0.06 + 0.14 + 0.26 + 0.0) / 4);
  // Log loss: -log(p_truth / sum of clipped row); the last row is clipped to
  // (eps, eps, 1 - eps) with sum 1 + eps.
  const double last =
      -std::log((1.0 - DBL_EPSILON) / ((DBL_EPSILON + DBL_EPSILON) + (1.0 - DBL_EPSILON)));
  ExpectClose(m.log_loss, (-std::log(0.8) - std::log(0.7) - std::log(0.6 / 1.0) + last) / 4);
  EXPECT_TRUE(m.warnings.empty());
}

TEST(MulticlassScoreMetricsTest, LogLossMatchesScikitLearnWithClipping) {
  // sklearn log_loss([0, 1, 2], [[0, 1, 0], [.2, .5, .3], [.1, .1, .8]]) = 12.31998137366377
  const MulticlassScoreMetrics m =
      Compute({0, 1, 2}, {{0.0, 1.0, 0.0}, {0.2, 0.5, 0.3}, {0.1, 0.1, 0.8}});
  ExpectClose(m.log_loss, 12.31998137366377);
}

TEST(MulticlassScoreMetricsTest, TopLabelCalibrationTakesFirstMaximum) {
  // Tied maximum: argmax is the first column (numpy.argmax), so truth 1 is a miss.
  ExpectClose(Compute({1}, {{0.4, 0.4, 0.2}}).ece, 0.4);
  ExpectClose(Compute({0}, {{0.4, 0.4, 0.2}}).ece, 0.6);
  // Every class count, every pair of tied maxima (i < j) at even or odd places: only the first
  // is the argmax, in Update and in Remove (histogram mode).
  for (uint32_t classes = 2; classes <= 7; ++classes) {
    for (uint32_t i = 0; i < classes; ++i) {
      for (uint32_t j = i + 1; j < classes; ++j) {
        SCOPED_TRACE(std::to_string(classes) + " classes, maxima at " + std::to_string(i) +
                     " and " + std::to_string(j));
        std::vector<double> row(classes, 0.0);
        row[i] = row[j] = 0.4;
        ExpectClose(Compute({i}, {row}).ece, 0.6);  // a hit: |1 - 0.4|
        ExpectClose(Compute({j}, {row}).ece, 0.4);  // a miss: |0 - 0.4|
        ScoreOptions histogram;
        histogram.mode = ScoreMode::kHistogram;
        MulticlassScoreAccumulator acc(Names(classes), histogram);
        std::vector<double> other(classes, 0.0);
        other[j] = 1.0;
        acc.Update(j, other);  // a hit at confidence 1
        acc.Update(j, row);    // a miss at confidence 0.4, then taken back
        acc.Remove(j, row);
        ExpectClose(acc.Finish().ece, 0.0);
      }
    }
    // A strict maximum at each place.
    for (uint32_t i = 0; i < classes; ++i) {
      std::vector<double> row(classes, 0.1 / classes);
      row[i] = 0.6;
      ExpectClose(Compute({i}, {row}).ece, 0.4);
    }
  }
}

TEST(MulticlassScoreMetricsTest, SingleTrueClassAndEmpty) {
  const MulticlassScoreMetrics one =
      Compute({0, 0, 0}, {{0.5, 0.3, 0.2}, {0.6, 0.2, 0.2}, {0.9, 0.05, 0.05}});
  EXPECT_FALSE(one.roc_auc_macro.value.has_value());
  EXPECT_FALSE(one.roc_auc_weighted.value.has_value());
  EXPECT_EQ(one.average_precision_macro.value, 1.0);  // class c0 only
  EXPECT_THAT(one.warnings,
              ElementsAre(HasSubstr("roc_auc is undefined"),
                          HasSubstr("left out of the macro average (scikit-learn would average "
                                    "in 0.0): 'c1', 'c2'")));
  ExpectClose(one.log_loss, -(std::log(0.5) + std::log(0.6) + std::log(0.9)) / 3);

  for (ScoreMode mode : {ScoreMode::kExact, ScoreMode::kHistogram}) {
    ScoreOptions options;
    options.mode = mode;
    const MulticlassScoreMetrics empty = MulticlassScoreAccumulator(Names(3), options).Finish();
    EXPECT_EQ(empty.n, 0u);
    EXPECT_FALSE(empty.roc_auc_macro.value.has_value());
    EXPECT_FALSE(empty.average_precision_macro.value.has_value());
    EXPECT_FALSE(empty.log_loss.has_value());
    EXPECT_FALSE(empty.brier.has_value());
    EXPECT_FALSE(empty.ece.has_value());
    EXPECT_THAT(empty.warnings, ElementsAre(HasSubstr("no rows")));
  }
}

TEST(MulticlassScoreMetricsTest, MergeOfPartsEqualsWhole) {
  const MulticlassData d = MakeMulticlassData(21, 2000, 6, MulticlassShape::kContinuous);
  for (ScoreMode mode : {ScoreMode::kExact, ScoreMode::kHistogram}) {
    ScoreOptions options;
    options.mode = mode;
    options.histogram_bins = 64;
    const MulticlassScoreMetrics whole = Accumulate(d, options).Finish();
    std::vector<MulticlassScoreAccumulator> parts(3, MulticlassScoreAccumulator(Names(6), options));
    for (size_t i = 0; i < d.truth.size(); ++i) {
      parts[i % 3].Update(d.truth[i], std::span<const double>(&d.scores[i * 6], 6));
    }
    ASSERT_TRUE(parts[0].Merge(parts[1]).ok());
    ASSERT_TRUE(parts[0].Merge(parts[2]).ok());
    const MulticlassScoreMetrics merged = parts[0].Finish();
    EXPECT_EQ(merged.n, whole.n);
    EXPECT_EQ(merged.roc_auc_macro.value, whole.roc_auc_macro.value);
    EXPECT_EQ(merged.roc_auc_macro.error_bound, whole.roc_auc_macro.error_bound);
    EXPECT_EQ(merged.roc_auc_weighted.value, whole.roc_auc_weighted.value);
    EXPECT_EQ(merged.average_precision_macro.value, whole.average_precision_macro.value);
    EXPECT_EQ(merged.average_precision_macro.error_bound,
              whole.average_precision_macro.error_bound);
    ExpectClose(merged.log_loss, *whole.log_loss);
    ExpectClose(merged.brier, *whole.brier);
    ExpectClose(merged.ece, *whole.ece);
    if (mode == ScoreMode::kHistogram) {
      EXPECT_GT(whole.roc_auc_macro.error_bound, 0.0);
      EXPECT_EQ(parts[0].MemoryBytes(), parts[1].MemoryBytes());  // constant memory
    }
  }
}

TEST(MulticlassScoreMetricsTest, MergeRejectsDifferentClassesOrOptions) {
  MulticlassScoreAccumulator acc(Names(3));
  EXPECT_EQ(acc.Merge(MulticlassScoreAccumulator(Names(4))).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(acc.Merge(MulticlassScoreAccumulator({"a", "b", "c"})).code(),
            StatusCode::kInvalidArgument);
  ScoreOptions histogram;
  histogram.mode = ScoreMode::kHistogram;
  EXPECT_EQ(acc.Merge(MulticlassScoreAccumulator(Names(3), histogram)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(acc.Merge(MulticlassScoreAccumulator(Names(3))).ok());
  EXPECT_EQ(acc.num_classes(), 3u);
}

TEST(MulticlassScoreMetricsTest, ExactTenClassesAgreesWithPerClassBinary) {
  // Macro AUC / AP are the means of the binary one-vs-rest values.
  const MulticlassData d = MakeMulticlassData(31, 5000, 10, MulticlassShape::kTied);
  const MulticlassScoreMetrics m = Accumulate(d).Finish();
  double auc_sum = 0, ap_sum = 0, weighted = 0;
  uint64_t support_sum = 0;
  for (uint32_t k = 0; k < 10; ++k) {
    BinaryScoreAccumulator binary;
    uint64_t support = 0;
    for (size_t i = 0; i < d.truth.size(); ++i) {
      binary.Update(d.truth[i] == k, d.scores[i * 10 + k]);
      support += d.truth[i] == k;
    }
    const BinaryScoreMetrics b = binary.Finish();
    auc_sum += *b.roc_auc.value;
    ap_sum += *b.average_precision.value;
    weighted += static_cast<double>(support) * *b.roc_auc.value;
    support_sum += support;
  }
  ExpectClose(m.roc_auc_macro.value, auc_sum / 10);
  ExpectClose(m.average_precision_macro.value, ap_sum / 10);
  ExpectClose(m.roc_auc_weighted.value, weighted / static_cast<double>(support_sum));
}

TEST(MulticlassScoreMetricsTest, MemoryPerMode) {
  const MulticlassData d = MakeMulticlassData(41, 4000, 5, MulticlassShape::kContinuous);
  EXPECT_GE(Accumulate(d).MemoryBytes(), 8u * 4000 * 5);
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  options.histogram_bins = 100;
  const size_t empty_bytes = MulticlassScoreAccumulator(Names(5), options).MemoryBytes();
  EXPECT_GE(empty_bytes, 16u * 100 * 5);
  EXPECT_EQ(Accumulate(d, options).MemoryBytes(), empty_bytes);
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

TEST(MulticlassScoreParallelTest, ParallelFinishEqualsSequential) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (ScoreMode mode : {ScoreMode::kExact, ScoreMode::kHistogram}) {
    ScoreOptions options;
    options.mode = mode;
    MulticlassScoreAccumulator acc({"a", "b", "c", "d", "e"}, options);
    std::vector<double> p(5);
    for (int i = 0; i < 20000; ++i) {
      double sum = 0;
      for (double& x : p) sum += (x = u(rng));
      for (double& x : p) x /= sum;
      acc.Update(static_cast<uint32_t>(rng() % 5), p);
    }
    // Chunks on real threads, as the CLI runs them.
    ParallelFor on_threads = [](size_t n, const std::function<void(size_t, size_t)>& body) {
      std::thread t(body, n / 3, n);
      body(0, n / 3);
      t.join();
    };
    MulticlassScoreMetrics a = acc.Finish(), b = acc.Finish(on_threads);
    EXPECT_EQ(*a.roc_auc_macro.value, *b.roc_auc_macro.value);
    EXPECT_EQ(*a.roc_auc_weighted.value, *b.roc_auc_weighted.value);
    EXPECT_EQ(*a.average_precision_macro.value, *b.average_precision_macro.value);
    EXPECT_EQ(a.roc_auc_macro.error_bound, b.roc_auc_macro.error_bound);
  }
}

TEST(MulticlassScoreAccumulatorTest, HistogramRemoveAndEncoding) {
  ScoreOptions options;
  options.mode = ScoreMode::kHistogram;
  options.histogram_bins = 50;
  MulticlassScoreAccumulator kept({"a", "b", "c"}, options), with_removed({"a", "b", "c"}, options);
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> unit(0.01, 1.0);
  for (int i = 0; i < 300; ++i) {
    double w[3], sum = 0;
    for (double& x : w) sum += (x = unit(rng));
    const std::vector<double> p = {w[0] / sum, w[1] / sum, w[2] / sum};
    const uint32_t truth = static_cast<uint32_t>(rng() % 3);
    with_removed.Update(truth, p);
    if (i % 5 == 0) {
      with_removed.Remove(truth, p);
    } else {
      kept.Update(truth, p);
    }
  }
  const MulticlassScoreMetrics a = with_removed.Finish(), b = kept.Finish();
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.roc_auc_macro.value, b.roc_auc_macro.value);
  EXPECT_NEAR(*a.log_loss, *b.log_loss, 1e-12);
  EXPECT_NEAR(*a.ece, *b.ece, 1e-12);
  ByteWriter out;
  kept.EncodeTo(out);
  ByteReader in(out.bytes(), "test");
  Result<MulticlassScoreAccumulator> back = MulticlassScoreAccumulator::DecodeFrom(in);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_THAT(back->class_names(), ElementsAre("a", "b", "c"));
  ByteWriter again;
  back->EncodeTo(again);
  EXPECT_EQ(again.bytes(), out.bytes());
  for (size_t cut = 0; cut < out.size(); cut += 3) {
    ByteReader truncated(std::string_view(out.bytes()).substr(0, cut), "test");
    EXPECT_EQ(MulticlassScoreAccumulator::DecodeFrom(truncated).status().code(),
              StatusCode::kDataLoss)
        << cut;
  }
}

}  // namespace
}  // namespace modelwatch
