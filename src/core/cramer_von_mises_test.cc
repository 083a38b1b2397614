// Expected values computed with SciPy 1.10.1 (scipy.stats.cramervonmises_2samp).
#include "modelwatch/core/cramer_von_mises.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace modelwatch {
namespace {

TEST(CramerVonMisesTest, TooFewObservationsIsInvalidArgument) {
  const std::vector<double> one = {1.0}, two = {1.0, 2.0};
  auto r = CramerVonMisesTest(one, two);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "cramervonmises_2samp: sample 'reference' needs at least 2 observations, got 1");
  EXPECT_EQ(CramerVonMisesTest(two, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(CramerVonMisesTest, NanIsInvalidArgument) {
  const std::vector<double> a = {1.0, 2.0}, b = {std::nan(""), 2.0};
  auto r = CramerVonMisesTest(a, b);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "cramervonmises_2samp: sample 'current' contains NaN at index 0");
}

TEST(CramerVonMisesTest, IdenticalSamples) {
  const std::vector<double> a = {1.0, 2.0};
  auto r = CramerVonMisesTest(a, a);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0.0);
  EXPECT_EQ(*r->p_value, 1.0);
  EXPECT_EQ(r->method, "exact");
}

TEST(CramerVonMisesTest, AllTiesUseMidranks) {
  const std::vector<double> a = {5, 5, 5}, b = {5, 5};
  auto r = CramerVonMisesTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 0.06666666666666665, 1e-16);
  EXPECT_EQ(*r->p_value, 1.0);
}

TEST(CramerVonMisesTest, ExactSmallSamples) {
  const std::vector<double> a = {0.3, 1.2, -0.5, 2.2, 0.8}, b = {1.5, 2.5, 0.9, 3.1, 2.0, 1.7};
  auto r = CramerVonMisesTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "exact");
  EXPECT_EQ(r->statistic, 0.40000000000000013);  // bit-identical to SciPy
  EXPECT_EQ(*r->p_value, 0.07792207792207792);   // 36 / 462
  auto asym = CramerVonMisesTest(a, b, CramerVonMisesMethod::kAsymptotic);
  ASSERT_TRUE(asym.ok());
  EXPECT_EQ(asym->method, "asymptotic");
  EXPECT_NEAR(*asym->p_value, 0.07316385899848687, 1e-14);
}

TEST(CramerVonMisesTest, DisjointSupportsAsymptotic) {
  std::vector<double> a(25), b(25);
  for (int i = 0; i < 25; ++i) {
    a[i] = i;
    b[i] = i + 100;
  }
  auto r = CramerVonMisesTest(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "asymptotic");
  EXPECT_NEAR(r->statistic, 4.17, 1e-13);
  // 1 - cdf: SciPy's Bessel K is off by ~1e-15 absolute, ours is within 1e-16 of the series.
  EXPECT_NEAR(*r->p_value, 1.6559797977322432e-10, 1e-14);
}

TEST(CramerVonMisesTest, ExactLimitAndAutoSwitch) {
  std::vector<double> x(30), y(40);
  for (int i = 0; i < 30; ++i) x[i] = i;
  for (int i = 0; i < 40; ++i) y[i] = i * 0.7 + 3;
  auto r = CramerVonMisesTest(x, y);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "asymptotic");
  EXPECT_NEAR(r->statistic, 0.09761904761904816, 1e-15);
  EXPECT_NEAR(*r->p_value, 0.6116183868375085, 1e-13);
  EXPECT_EQ(CramerVonMisesTest(x, y, CramerVonMisesMethod::kExact).status().code(),
            StatusCode::kOutOfRange);
}

TEST(CramerVonMisesTest, HugeSamplesAreSymmetric) {
  // U exceeds 2^53 here (computed exactly in 128-bit integers); T is symmetric in the samples.
  std::mt19937_64 rng(17);
  std::normal_distribution<double> n01(0, 1);
  std::vector<double> a(300000), b(200000);
  for (double& v : a) v = n01(rng);
  for (double& v : b) v = n01(rng) + 0.01;
  auto ab = CramerVonMisesTest(a, b);
  auto ba = CramerVonMisesTest(b, a);
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_EQ(ab->method, "asymptotic");
  EXPECT_NEAR(ab->statistic, ba->statistic, 1e-12 * ab->statistic);
  EXPECT_NEAR(*ab->p_value, *ba->p_value, 1e-12);
  EXPECT_GT(*ab->p_value, 0.0);
  EXPECT_LT(*ab->p_value, 0.05);
}

}  // namespace
}  // namespace modelwatch
