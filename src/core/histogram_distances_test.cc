// Expected values computed with SciPy 1.10.1 (scipy.spatial.distance.jensenshannon) and numpy
// (PSI with Evidently's formula, Hellinger).
#include "modelwatch/core/histogram_distances.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace modelwatch {
namespace {

TEST(PopulationStabilityIndexTest, MatchesEvidentlyFormula) {
  const std::vector<double> ref = {20, 50, 30}, cur = {30, 40, 30};
  auto r = PopulationStabilityIndex(ref, cur);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 0.06286086594223739, 1e-16);
  EXPECT_FALSE(r->p_value.has_value());
  EXPECT_EQ(r->method, "psi");
}

TEST(PopulationStabilityIndexTest, EmptyBinsUseTheFill) {
  const std::vector<double> ref = {0, 50, 50}, cur = {50, 50, 0};
  auto r = PopulationStabilityIndex(ref, cur);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 8.515489752777954, 1e-14);
  auto larger_fill = PopulationStabilityIndex(ref, cur, 1e-2);
  ASSERT_TRUE(larger_fill.ok());
  EXPECT_LT(larger_fill->statistic, r->statistic);
  EXPECT_EQ(PopulationStabilityIndex(ref, cur, 0.0).status().code(), StatusCode::kInvalidArgument);
}

TEST(PopulationStabilityIndexTest, IdenticalIsZero) {
  const std::vector<double> ref = {3, 0, 7};
  auto r = PopulationStabilityIndex(ref, ref);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0.0);
}

TEST(JensenShannonDistanceTest, MatchesScipy) {
  const std::vector<double> p = {1, 2, 3, 0}, q = {0, 2, 3, 1};
  auto r = JensenShannonDistance(p, q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0.3398889967229363);
  auto r10 = JensenShannonDistance(p, q, 10.0);
  ASSERT_TRUE(r10.ok());
  EXPECT_NEAR(r10->statistic, 0.22399032555893314, 1e-16);
  EXPECT_EQ(r->method, "jensenshannon");
}

TEST(JensenShannonDistanceTest, IdenticalAndDisjoint) {
  const std::vector<double> p = {1, 2, 3};
  EXPECT_EQ(JensenShannonDistance(p, p)->statistic, 0.0);
  const std::vector<double> a = {1, 0}, b = {0, 1};
  EXPECT_NEAR(JensenShannonDistance(a, b)->statistic, std::sqrt(std::numbers::ln2), 1e-15);
  EXPECT_NEAR(JensenShannonDistance(a, b, 2.0)->statistic, 1.0, 1e-15);
}

TEST(JensenShannonDistanceTest, InvalidBase) {
  const std::vector<double> p = {1, 2};
  EXPECT_EQ(JensenShannonDistance(p, p, 1.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(JensenShannonDistance(p, p, -2.0).status().code(), StatusCode::kInvalidArgument);
}

TEST(HellingerDistanceTest, Values) {
  const std::vector<double> p = {2, 5, 3}, q = {3, 4, 3};
  auto r = HellingerDistance(p, q);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 0.08852926195176514, 1e-16);
  EXPECT_EQ(r->method, "hellinger");
  EXPECT_EQ(HellingerDistance(p, p)->statistic, 0.0);
  const std::vector<double> a = {1, 0}, b = {0, 1};
  EXPECT_NEAR(HellingerDistance(a, b)->statistic, 1.0, 1e-15);
}

TEST(HistogramDistancesTest, InvalidInput) {
  const std::vector<double> two = {1, 2}, three = {1, 2, 3}, zeros = {0, 0}, negative = {1, -1},
                            nan = {1, std::nan("")};
  auto r = JensenShannonDistance(two, three);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "jensenshannon: 'reference' has 2 bins but 'current' has 3");
  r = HellingerDistance(two, zeros);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "hellinger: sample 'current' has no observations");
  EXPECT_EQ(PopulationStabilityIndex(negative, two).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PopulationStabilityIndex(nan, two).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PopulationStabilityIndex({}, {}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelwatch
