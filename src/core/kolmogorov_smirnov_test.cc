// Expected values computed with SciPy 1.10.1 (scipy.stats.ks_2samp); the golden tests in
// tests/golden/drift cover many more shapes and sizes.
#include "modelwatch/core/kolmogorov_smirnov.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace modelwatch {
namespace {

constexpr double kRel = 1e-12;

TEST(KolmogorovSmirnovTest, EmptySampleIsInvalidArgumentNamingTheSample) {
  const std::vector<double> some = {1.0, 2.0};
  auto r = KolmogorovSmirnovTest({}, some);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "ks_2samp: sample 'reference' is empty");
  r = KolmogorovSmirnovTest(some, {});
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "ks_2samp: sample 'current' is empty");
}

TEST(KolmogorovSmirnovTest, NanIsInvalidArgumentWithItsIndex) {
  const std::vector<double> a = {1.0, 2.0, 3.0};
  const std::vector<double> b = {1.0, std::nan(""), 3.0};
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "ks_2samp: sample 'current' contains NaN at index 1");
}

TEST(KolmogorovSmirnovTest, OneElementEach) {
  const std::vector<double> a = {1.0}, b = {2.0};
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 1.0);
  EXPECT_EQ(*r->p_value, 1.0);  // 2 paths, both reach |D| = 1
  EXPECT_EQ(r->method, "exact");
  EXPECT_EQ(r->statistic_location, 1.0);
  EXPECT_EQ(r->statistic_sign, 1);
}

TEST(KolmogorovSmirnovTest, IdenticalSamplesGiveZeroAndOne) {
  std::vector<double> a = {0.3, -1.0, 2.5, 0.3, 7.0};
  auto r = KolmogorovSmirnovTest(a, a);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0.0);
  EXPECT_EQ(*r->p_value, 1.0);
  const std::vector<double> one = {1.0};
  r = KolmogorovSmirnovTest(one, one);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0.0);
  EXPECT_EQ(r->statistic_location, 1.0);  // SciPy: location 1.0, sign +1
  EXPECT_EQ(r->statistic_sign, 1);
}

TEST(KolmogorovSmirnovTest, TiesAreEvaluatedAfterTheWholeTieGroup) {
  const std::vector<double> a = {1, 1, 1, 2, 2};
  const std::vector<double> b = {1, 2, 2, 2, 3, 3};
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 0.43333333333333335, 1e-16);
  EXPECT_NEAR(*r->p_value, 0.5909090909090909, 1e-15);
  EXPECT_EQ(r->statistic_location, 1.0);
  EXPECT_EQ(r->statistic_sign, 1);
}

TEST(KolmogorovSmirnovTest, AllTiesOnOneValue) {
  const std::vector<double> a(50, 4.0), b(70, 4.0);
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0.0);
  EXPECT_EQ(*r->p_value, 1.0);
}

TEST(KolmogorovSmirnovTest, DisjointSupportsExact) {
  const std::vector<double> a = {1, 2, 3, 4, 5}, b = {6, 7, 8, 9, 10, 11, 12};
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 1.0);
  EXPECT_NEAR(*r->p_value / 0.0025252525252525255, 1.0, kRel);  // 2 / C(12, 5)
  EXPECT_EQ(r->method, "exact");
  const std::vector<double> c = {1, 2, 3, 4, 5, 6}, d = {7, 8, 9, 10, 11, 12};
  r = KolmogorovSmirnovTest(c, d);  // equal sizes: the reflection series
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(*r->p_value / 0.0021645021645021645, 1.0, kRel);  // 2 / C(12, 6)
}

TEST(KolmogorovSmirnovTest, SmallUnequalSamples) {
  const std::vector<double> a = {0.9, 0.1, 1.3, 0.5}, b = {0.2, 1.8, 0.6, 1.0, 1.4};
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 0.4, 1e-16);
  EXPECT_NEAR(*r->p_value / 0.7460317460317459, 1.0, kRel);
}

TEST(KolmogorovSmirnovTest, InfinitiesAreOrdinaryValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> a = {-inf, 0, 1}, b = {inf, 0.5, 2};
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 0.6666666666666666, 1e-16);
  EXPECT_NEAR(*r->p_value, 0.6, 1e-15);
  EXPECT_EQ(r->statistic_location, 1.0);
}

TEST(KolmogorovSmirnovTest, SortedEntryPointAgreesAndSkipsTheCopy) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> n01(0, 1);
  std::vector<double> a(300), b(200);
  for (double& v : a) v = n01(rng);
  for (double& v : b) v = n01(rng) + 0.2;
  auto unsorted = KolmogorovSmirnovTest(a, b);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  auto sorted = KolmogorovSmirnovTestSorted(a, b);
  ASSERT_TRUE(unsorted.ok() && sorted.ok());
  EXPECT_EQ(unsorted->statistic, sorted->statistic);
  EXPECT_EQ(*unsorted->p_value, *sorted->p_value);
  const KsStatistic s = KolmogorovSmirnovStatisticSorted(a, b);
  // The exact path rounds d to the lattice of (300, 200): same value here.
  EXPECT_NEAR(s.d, sorted->statistic, 1e-15);
}

TEST(KolmogorovSmirnovTest, TestOfAStatisticEqualsTheSortedTest) {
  std::mt19937_64 rng(4);
  for (size_t n : {5u, 300u, 20000u}) {
    std::vector<double> a(n), b(n / 2 + 3);
    for (double& v : a) v = static_cast<double>(rng() % 50);
    for (double& v : b) v = static_cast<double>(rng() % 60);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    const auto sorted = KolmogorovSmirnovTestSorted(a, b);
    const KsTestResult of = KolmogorovSmirnovTestOfStatistic(KolmogorovSmirnovStatisticSorted(a, b),
                                                             a.size(), b.size());
    ASSERT_TRUE(sorted.ok());
    EXPECT_EQ(of.statistic, sorted->statistic);
    EXPECT_EQ(of.p_value, sorted->p_value);
    EXPECT_EQ(of.method, sorted->method);
    EXPECT_EQ(of.statistic_location, sorted->statistic_location);
    EXPECT_EQ(of.statistic_sign, sorted->statistic_sign);
  }
}

TEST(KolmogorovSmirnovTest, SwitchesToAsymptoticAbove10000) {
  std::vector<double> a(10000), b(10001);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(i);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<double>(i) + 0.3;
  auto asymp = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(asymp.ok());
  EXPECT_EQ(asymp->method, "asymp");
  EXPECT_FALSE(asymp->exact_fell_back);
  EXPECT_EQ(*asymp->p_value, 1.0);
  auto exact = KolmogorovSmirnovTest(std::span<const double>(a).first(5000),
                                     std::span<const double>(b).first(4000));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->method, "exact");
}

TEST(KolmogorovSmirnovTest, FailedExactFallsBackLikeScipy) {
  // n = 10000 each, d = 1e-4 (h = 1): the reflection series gives 2P > 1, SciPy warns "Exact
  // calculation unsuccessful" and uses asymp. The location is where rounding made i/n - (i-1)/n
  // largest: SciPy reports 5005.
  std::vector<double> a(10000), b(10000);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<double>(i);
    b[i] = static_cast<double>(i) + 0.5;
  }
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "asymp");
  EXPECT_TRUE(r->exact_fell_back);
  EXPECT_EQ(r->statistic, 0.0001);
  EXPECT_EQ(*r->p_value, 1.0);
  EXPECT_EQ(r->statistic_location, 5005.0);
  EXPECT_EQ(r->statistic_sign, 1);
}

TEST(KolmogorovSmirnovTest, HugeSamplesUseTheEffectiveSize) {
  // 2M vs 1M shifted by 0.01 sd: d ~ 0.004, n_eff = 666667 (the Smirnov sum for the tail).
  std::mt19937_64 rng(11);
  std::normal_distribution<double> n01(0, 1);
  std::vector<double> a(2'000'000), b(1'000'000);
  for (double& v : a) v = n01(rng);
  for (double& v : b) v = n01(rng) + 0.01;
  auto r = KolmogorovSmirnovTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "asymp");
  EXPECT_GT(r->statistic, 0.0);
  EXPECT_LT(*r->p_value, 1e-3);
  // Same p-value as the p-value stage alone.
  const KsTestResult p = KolmogorovSmirnovPValue(r->statistic, a.size(), b.size());
  EXPECT_EQ(*p.p_value, *r->p_value);
}

TEST(KolmogorovSmirnovTest, PValueStageMethods) {
  // d = 0.5 on the lattice of (10, 10): exact 2 * (1 - ...) series; asymptotic kstwo(0.5, 5).
  KsTestResult exact = KolmogorovSmirnovPValue(0.5, 10, 10, KsMethod::kExact);
  KsTestResult asymp = KolmogorovSmirnovPValue(0.5, 10, 10, KsMethod::kAsymptotic);
  EXPECT_EQ(exact.method, "exact");
  EXPECT_EQ(asymp.method, "asymp");
  EXPECT_NEAR(*exact.p_value / 0.16782134274394334, 1.0, kRel);
  EXPECT_NEAR(*asymp.p_value / 0.112, 1.0, kRel);  // kstwo.sf(0.5, 5) = 2 * smirnov(5, 0.5)
  // h == 0 on the lattice: p = 1 exactly.
  EXPECT_EQ(*KolmogorovSmirnovPValue(1e-9, 7, 3).p_value, 1.0);
  // Forced exact with an lcm beyond SciPy's int32 guard falls to asymptotic.
  EXPECT_EQ(KolmogorovSmirnovPValue(0.1, 100003, 100019, KsMethod::kExact).method, "asymp");
}

}  // namespace
}  // namespace modelwatch
