// Expected values computed with SciPy 1.10.1 (scipy.stats.wasserstein_distance) and numpy.std.
#include "modelwatch/core/wasserstein_distance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace modelwatch {
namespace {

TEST(WassersteinDistanceTest, ShiftedSamples) {
  const std::vector<double> u = {0, 1, 3}, v = {5, 6, 8};
  auto r = WassersteinDistance(u, v);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 5.0);
  EXPECT_FALSE(r->p_value.has_value());
  EXPECT_EQ(r->method, "wasserstein");
}

TEST(WassersteinDistanceTest, OneElementAndIdentical) {
  const std::vector<double> a = {2.5}, b = {-1.0};
  EXPECT_EQ(WassersteinDistance(a, b)->statistic, 3.5);
  const std::vector<double> c = {1, 2, 3};
  EXPECT_EQ(WassersteinDistance(c, c)->statistic, 0.0);
}

TEST(WassersteinDistanceTest, Weighted) {
  const std::vector<double> u = {3.4, 3.9, 7.5, 7.8}, uw = {1.4, 0.9, 3.1, 7.2};
  const std::vector<double> v = {4.5, 1.4}, vw = {3.2, 3.5};
  auto r = WassersteinDistance(u, uw, v, vw);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 4.078133143804786, 1e-15);
  // Unit weights equal the unweighted distance.
  const std::vector<double> ones = {1, 1, 1, 1}, ones2 = {1, 1};
  EXPECT_NEAR(WassersteinDistance(u, ones, v, ones2)->statistic,
              WassersteinDistance(u, v)->statistic, 1e-15);
}

TEST(WassersteinDistanceTest, Normalized) {
  const std::vector<double> ref = {1, 2, 3, 4}, cur = {2, 3, 4, 5};
  auto r = NormalizedWassersteinDistance(ref, cur);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->distance, 1.0);
  EXPECT_EQ(r->scale, 1.118033988749895);  // np.std(ref)
  EXPECT_EQ(r->statistic, 0.8944271909999159);
  EXPECT_EQ(r->method, "wasserstein_normed");
  // A constant reference is normalised by min_scale.
  const std::vector<double> constant = {7, 7, 7}, shifted = {7.001, 7.001};
  auto c = NormalizedWassersteinDistance(constant, shifted);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scale, 0.001);
  EXPECT_NEAR(c->statistic, 1.0, 1e-9);
}

TEST(WassersteinDistanceTest, InvalidInput) {
  const std::vector<double> ok = {1, 2}, empty, inf = {1, std::numeric_limits<double>::infinity()};
  auto r = WassersteinDistance(empty, ok);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "wasserstein_distance: sample 'u' is empty");
  r = WassersteinDistance(ok, inf);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "wasserstein_distance: sample 'v' has a non-finite value at index 1");
  const std::vector<double> w_neg = {1, -1}, w_zero = {0, 0}, w_short = {1};
  EXPECT_EQ(WassersteinDistance(ok, w_neg, ok, ok).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WassersteinDistance(ok, w_zero, ok, ok).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WassersteinDistance(ok, w_short, ok, ok).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizedWassersteinDistance(ok, ok, 0.0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(WassersteinDistanceTest, LargeSamplesAreSymmetric) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> n01(0, 1);
  std::vector<double> a(200000), b(150000);
  for (double& v : a) v = n01(rng);
  for (double& v : b) v = n01(rng) + 0.5;
  const double ab = WassersteinDistance(a, b)->statistic;
  const double ba = WassersteinDistance(b, a)->statistic;
  EXPECT_NEAR(ab, 0.5, 0.02);
  EXPECT_NEAR(ab, ba, 1e-14);
}

// One pass for both: the same bits as the two separate computations, and its errors.
TEST(WassersteinDistanceTest, NormalizedWithKsEqualsBothSeparately) {
  std::mt19937_64 rng(8);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<double> ref(2000), cur(1500);
  for (double& x : ref) x = std::round(d(rng) * 100) / 100;  // ties too
  for (double& x : cur) x = std::round((d(rng) + 0.1) * 100) / 100;
  const auto both = NormalizedWassersteinDistanceAndKs(ref, cur);
  const auto w = NormalizedWassersteinDistance(ref, cur);
  std::vector<double> a = ref, b = cur;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const KsStatistic ks = KolmogorovSmirnovStatisticSorted(a, b);
  ASSERT_TRUE(both.ok() && w.ok());
  EXPECT_EQ(both->wasserstein.statistic, w->statistic);
  EXPECT_EQ(both->wasserstein.distance, w->distance);
  EXPECT_EQ(both->wasserstein.scale, w->scale);
  EXPECT_EQ(both->wasserstein.method, "wasserstein_normed");
  EXPECT_EQ(both->ks.d, ks.d);
  EXPECT_EQ(both->ks.location, ks.location);
  EXPECT_EQ(both->ks.sign, ks.sign);
  const std::vector<double> inf = {1, std::numeric_limits<double>::infinity()};
  EXPECT_EQ(NormalizedWassersteinDistanceAndKs(inf, cur).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizedWassersteinDistanceAndKs(ref, {}).status().code(),
            StatusCode::kInvalidArgument);
}

// Sorted input is used in place and unsorted input is sorted first: the same bits either way,
// and the caller's values are left as they were.
TEST(WassersteinDistanceTest, SortedAndUnsortedInputGiveTheSameBits) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<double> u(3000), v(2500);
  for (double& x : u) x = d(rng);
  for (double& x : v) x = d(rng) + 0.3;
  const std::vector<double> u_before = u;
  const auto unsorted = WassersteinDistance(u, v);
  EXPECT_EQ(u, u_before);
  std::vector<double> us = u, vs = v;
  std::sort(us.begin(), us.end());
  std::sort(vs.begin(), vs.end());
  const auto sorted = WassersteinDistance(us, vs);
  ASSERT_TRUE(unsorted.ok() && sorted.ok());
  EXPECT_EQ(unsorted->statistic, sorted->statistic);
  EXPECT_GT(sorted->statistic, 0.2);
}

// The variant for sorted samples with a known deviation gives the general one's bits when that
// deviation is numpy's (two pairwise passes over the sorted reference, as the general one
// computes it), and refuses what it cannot use.
TEST(WassersteinDistanceTest, SortedVariantWithNumpysDeviationGivesTheSameBits) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<double> ref(5000), cur(4000);
  for (double& x : ref) x = std::round(d(rng) * 1000) / 1000;
  for (double& x : cur) x = std::round((d(rng) * 1.2 + 0.05) * 1000) / 1000;
  std::sort(ref.begin(), ref.end());
  std::sort(cur.begin(), cur.end());
  const auto general = NormalizedWassersteinDistanceAndKs(ref, cur);
  ASSERT_TRUE(general.ok());
  // The general path's deviation is its scale (it is above min_scale here). That LoadDataset's
  // deviation (from the column profile) has the same bits is tested in dataset_input_test.
  const double std_dev = general->wasserstein.scale;
  ASSERT_GT(std_dev, 0.5);
  const auto sorted = NormalizedWassersteinDistanceAndKsSorted(ref, cur, std_dev);
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ(sorted->wasserstein.statistic, general->wasserstein.statistic);
  EXPECT_EQ(sorted->wasserstein.distance, general->wasserstein.distance);
  EXPECT_EQ(sorted->wasserstein.scale, general->wasserstein.scale);
  EXPECT_EQ(sorted->ks.d, general->ks.d);
  EXPECT_EQ(sorted->ks.location, general->ks.location);
  EXPECT_EQ(sorted->ks.sign, general->ks.sign);
  // A deviation below min_scale gives way to it, as in the general one.
  const auto tiny = NormalizedWassersteinDistanceAndKsSorted(ref, cur, 1e-9);
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->wasserstein.scale, 0.001);
  EXPECT_EQ(NormalizedWassersteinDistanceAndKsSorted({}, cur, 1.0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizedWassersteinDistanceAndKsSorted(ref, cur, -1.0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizedWassersteinDistanceAndKsSorted(ref, cur, std::nan("")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizedWassersteinDistanceAndKsSorted(ref, cur, 1.0, 0.0).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelwatch
