// Expected values computed with SciPy 1.10.1 (scipy.stats.chi2_contingency, correction=False).
#include "modelwatch/core/chi_square_homogeneity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace modelwatch {
namespace {

TEST(ChiSquareHomogeneityTest, MatchesChi2Contingency) {
  const std::vector<double> ref = {10, 20, 30}, cur = {15, 15, 30};
  auto r = ChiSquareHomogeneityTest(ref, cur);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 1.7142857142857144, 1e-15);
  EXPECT_NEAR(*r->p_value, 0.42437284567695, 1e-14);
  EXPECT_EQ(r->dof, 2);
  EXPECT_EQ(r->categories_used, 3);
  EXPECT_EQ(r->method, "pearson");
}

TEST(ChiSquareHomogeneityTest, CategoriesEmptyOnBothSidesAreDropped) {
  // SciPy raises on [[5, 0, 7, 0], [3, 0, 9, 0]] (zero expected frequency); we test [[5, 7],
  // [3, 9]].
  const std::vector<double> ref = {5, 0, 7, 0}, cur = {3, 0, 9, 0};
  auto r = ChiSquareHomogeneityTest(ref, cur);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 0.75, 1e-15);
  EXPECT_NEAR(*r->p_value, 0.3864762307712325, 1e-15);
  EXPECT_EQ(r->dof, 1);
  EXPECT_EQ(r->categories_used, 2);
}

TEST(ChiSquareHomogeneityTest, CategoryOnOneSideOnly) {
  const std::vector<double> ref = {30, 0}, cur = {0, 40};
  auto r = ChiSquareHomogeneityTest(ref, cur);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->statistic, 70.0, 1e-13);
  EXPECT_NEAR(*r->p_value / 5.930445850082478e-17, 1.0, 1e-12);
}

TEST(ChiSquareHomogeneityTest, IdenticalCountsGiveZero) {
  const std::vector<double> ref = {10, 20, 30};
  auto r = ChiSquareHomogeneityTest(ref, ref);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0.0);
  EXPECT_EQ(*r->p_value, 1.0);
}

TEST(ChiSquareHomogeneityTest, SingleCategoryIsDegenerate) {
  const std::vector<double> ref = {100, 0}, cur = {50, 0};
  auto r = ChiSquareHomogeneityTest(ref, cur);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0.0);
  EXPECT_EQ(*r->p_value, 1.0);
  EXPECT_EQ(r->dof, 0);
  EXPECT_EQ(r->categories_used, 1);
}

TEST(ChiSquareHomogeneityTest, InvalidInput) {
  const std::vector<double> three = {1, 2, 3}, two = {1, 2};
  auto r = ChiSquareHomogeneityTest(three, two);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "chi2_contingency: 'reference' has 3 categories but 'current' has 2");
  const std::vector<double> empty_side = {0, 0, 0};
  r = ChiSquareHomogeneityTest(three, empty_side);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "chi2_contingency: sample 'current' has no observations");
  const std::vector<double> negative = {1, -2, 3};
  EXPECT_EQ(ChiSquareHomogeneityTest(three, negative).status().code(),
            StatusCode::kInvalidArgument);
  const std::vector<double> nan = {1, std::nan(""), 3};
  EXPECT_EQ(ChiSquareHomogeneityTest(nan, three).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChiSquareHomogeneityTest({}, {}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelwatch
