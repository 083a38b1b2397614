// Expected values computed with scikit-learn 1.2.1.
#include "modelwatch/core/regression_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace modelwatch {
namespace {

constexpr double kTol = 1e-12;

RegressionAccumulator Fill(const std::vector<double>& y, const std::vector<double>& p) {
  RegressionAccumulator acc;
  for (size_t i = 0; i < y.size(); ++i) acc.Update(y[i], p[i]);
  return acc;
}

// y = [1.5,0,2,-1,3,2.5], yhat = [1,0.1,2,-2,2,3]
const std::vector<double> kY = {1.5, 0, 2, -1, 3, 2.5};
const std::vector<double> kP = {1, 0.1, 2, -2, 2, 3};

TEST(RegressionMetricsTest, MatchesSklearnIncludingMapeEpsilon) {
  RegressionMetrics m = Fill(kY, kP).Finish();
  EXPECT_EQ(m.n, 6u);
  EXPECT_NEAR(*m.mae, 0.5166666666666667, kTol);
  EXPECT_NEAR(*m.mse, 0.4183333333333333, kTol);
  EXPECT_NEAR(*m.rmse, std::sqrt(0.4183333333333333), kTol);
  // y = 0 divides by DBL_EPSILON, as sklearn.
  EXPECT_NEAR(*m.mape / 75059993789508.58, 1.0, 1e-12);
  EXPECT_NEAR(*m.median_ae, 0.5, kTol);
  EXPECT_NEAR(*m.r2, 0.787887323943662, kTol);
  EXPECT_NEAR(*m.explained_variance, 0.8387323943661972, kTol);
  EXPECT_NEAR(*m.max_error, 1.0, kTol);
  EXPECT_TRUE(m.warnings.empty());
}

TEST(RegressionMetricsTest, MergeOfSplitsEqualsWhole) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> d(100, 15);
  RegressionAccumulator whole, a, b;
  for (int i = 0; i < 5001; ++i) {
    double y = d(rng), p = y + d(rng) / 10 - 10;
    whole.Update(y, p);
    (i % 3 == 0 ? a : b).Update(y, p);
  }
  a.Merge(b);
  RegressionMetrics x = whole.Finish(), y = a.Finish();
  EXPECT_NEAR(*x.mae, *y.mae, 1e-12 * *x.mae);
  EXPECT_NEAR(*x.r2, *y.r2, 1e-12);
  EXPECT_NEAR(*x.explained_variance, *y.explained_variance, 1e-12);
  EXPECT_DOUBLE_EQ(*x.median_ae, *y.median_ae);
  EXPECT_DOUBLE_EQ(*x.max_error, *y.max_error);
}

TEST(RegressionMetricsTest, ConstantTruthUsesForceFinite) {
  RegressionMetrics perfect = Fill({2, 2, 2}, {2, 2, 2}).Finish();
  EXPECT_DOUBLE_EQ(*perfect.r2, 1.0);
  EXPECT_DOUBLE_EQ(*perfect.explained_variance, 1.0);
  RegressionMetrics off = Fill({2, 2, 2}, {1, 2, 3}).Finish();
  EXPECT_DOUBLE_EQ(*off.r2, 0.0);
  EXPECT_DOUBLE_EQ(*off.explained_variance, 0.0);
  EXPECT_EQ(off.warnings.size(), 2u);
}

TEST(RegressionMetricsTest, EvenCountMedianAveragesMiddleValues) {
  RegressionMetrics m = Fill({0, 0, 0, 0}, {1, 4, 2, 3}).Finish();
  EXPECT_DOUBLE_EQ(*m.median_ae, 2.5);
}

TEST(RegressionMetricsTest, EmptyAndSingleRow) {
  RegressionMetrics empty = RegressionAccumulator().Finish();
  EXPECT_FALSE(empty.mae.has_value());
  EXPECT_FALSE(empty.r2.has_value());
  ASSERT_EQ(empty.warnings.size(), 1u);
  RegressionMetrics one = Fill({1}, {3}).Finish();
  EXPECT_DOUBLE_EQ(*one.mae, 2.0);
  EXPECT_FALSE(one.r2.has_value());                // sklearn: NaN with a warning
  EXPECT_DOUBLE_EQ(*one.explained_variance, 1.0);  // sklearn's force_finite on 0/0
}

TEST(RegressionMetricsTest, WithoutMedianKeepsNoRows) {
  RegressionAccumulator acc(/*keep_errors_for_median=*/false);
  for (int i = 0; i < 1000; ++i) acc.Update(i, i + 1);
  EXPECT_EQ(acc.MemoryBytes(), 0u);
  RegressionMetrics m = acc.Finish();
  EXPECT_FALSE(m.median_ae.has_value());
  EXPECT_DOUBLE_EQ(*m.mae, 1.0);
}

TEST(CompensatedSumTest, RecoversSmallTermsLostByNaiveSummation) {
  CompensatedSum s;
  s.Add(1e16);
  for (int i = 0; i < 1000; ++i) s.Add(1.0);
  s.Add(-1e16);
  EXPECT_DOUBLE_EQ(s.value(), 1000.0);
}

TEST(RegressionAccumulatorTest, RemoveUndoesUpdateAndEncodingRoundTrips) {
  RegressionAccumulator kept, with_removed;
  std::mt19937_64 rng(4);
  std::normal_distribution<double> normal(10.0, 3.0);
  for (int i = 0; i < 500; ++i) {
    const double y = normal(rng), p = y + normal(rng) - 10.0;
    with_removed.Update(y, p);
    if (i % 3 == 0) {
      with_removed.Remove(y, p);
    } else {
      kept.Update(y, p);
    }
  }
  const RegressionMetrics a = with_removed.Finish(), b = kept.Finish();
  EXPECT_EQ(a.n, b.n);
  for (auto m : {&RegressionMetrics::mae, &RegressionMetrics::mse, &RegressionMetrics::mape,
                 &RegressionMetrics::r2, &RegressionMetrics::explained_variance,
                 &RegressionMetrics::median_ae}) {
    EXPECT_NEAR(*(a.*m), *(b.*m), 1e-10);
  }
  EXPECT_GE(*a.max_error, *b.max_error);  // a maximum cannot be taken back
  ByteWriter out;
  kept.EncodeTo(out);
  ByteReader in(out.bytes(), "test");
  Result<RegressionAccumulator> back = RegressionAccumulator::DecodeFrom(in);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Finish().r2, b.r2);
  EXPECT_EQ(back->Finish().median_ae, b.median_ae);
  for (size_t cut = 0; cut < out.size(); cut += 7) {
    ByteReader truncated(std::string_view(out.bytes()).substr(0, cut), "test");
    EXPECT_EQ(RegressionAccumulator::DecodeFrom(truncated).status().code(), StatusCode::kDataLoss)
        << cut;
  }
}

}  // namespace
}  // namespace modelwatch
