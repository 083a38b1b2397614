// Expected values: statsmodels' multipletests(method='bonferroni' / 'fdr_bh') definitions,
// computed with numpy.
#include "modelwatch/core/multiple_testing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace modelwatch {
namespace {

TEST(MultipleTestingTest, Bonferroni) {
  const std::vector<double> p = {0.01, 0.04, 0.5};
  auto r = BonferroniAdjust(p);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR((*r)[0], 0.03, 1e-16);
  EXPECT_NEAR((*r)[1], 0.12, 1e-16);
  EXPECT_EQ((*r)[2], 1.0);  // capped
}

TEST(MultipleTestingTest, BenjaminiHochbergInInputOrder) {
  // sorted: 0.001 (1), 0.01 (2), 0.03 (3), 0.04 (4), 0.2 (5), 0.5 (6); m = 6
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.2, 0.5, 0.001};
  auto r = BenjaminiHochbergAdjust(p);
  ASSERT_TRUE(r.ok());
  const std::vector<double> want = {0.03, 0.06, 0.06, 0.24, 0.5, 0.006};
  ASSERT_EQ(r->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR((*r)[i], want[i], 1e-15) << i;
}

TEST(MultipleTestingTest, TiesAndBounds) {
  const std::vector<double> p = {0.05, 0.05, 0.05, 0.05};
  auto r = BenjaminiHochbergAdjust(p);
  ASSERT_TRUE(r.ok());
  for (double v : *r) EXPECT_NEAR(v, 0.05, 1e-17);
  const std::vector<double> edges = {0.0, 1.0};
  EXPECT_EQ(*BenjaminiHochbergAdjust(edges), (std::vector<double>{0.0, 1.0}));
  EXPECT_TRUE(BenjaminiHochbergAdjust({})->empty());
  EXPECT_TRUE(BonferroniAdjust({})->empty());
}

TEST(MultipleTestingTest, InvalidPValues) {
  const std::vector<double> bad = {0.1, 1.5}, nan = {std::nan("")};
  auto r = BenjaminiHochbergAdjust(bad);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "benjamini_hochberg: p-value 1 must be in [0, 1], got 1.500000");
  EXPECT_EQ(BonferroniAdjust(nan).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelwatch
