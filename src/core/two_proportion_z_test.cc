// Expected values computed with SciPy 1.10.1 (2 * scipy.stats.norm.sf(|z|)).
#include "modelwatch/core/two_proportion_z.h"

#include <gtest/gtest.h>

#include <cmath>

namespace modelwatch {
namespace {

TEST(TwoProportionZTest, PooledTwoSided) {
  auto r = TwoProportionZTest(300, 1000, 350, 1000);
  ASSERT_TRUE(r.ok());
  const double z = 0.05 / std::sqrt(0.325 * 0.675 * (2.0 / 1000));
  EXPECT_NEAR(r->statistic, z, 1e-13);
  EXPECT_GT(r->statistic, 0);  // current proportion is higher
  EXPECT_NEAR(*r->p_value, 0.01698420058213061, 1e-15);
  EXPECT_EQ(r->method, "pooled_z");
  EXPECT_EQ(r->reference_proportion, 0.3);
  EXPECT_EQ(r->current_proportion, 0.35);
}

TEST(TwoProportionZTest, DegenerateAllNegativeOrAllPositive) {
  for (auto [x1, n1, x2, n2] : {std::tuple{0u, 100u, 0u, 50u}, std::tuple{100u, 100u, 50u, 50u}}) {
    auto r = TwoProportionZTest(x1, n1, x2, n2);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->statistic, 0.0);
    EXPECT_EQ(*r->p_value, 1.0);
  }
}

TEST(TwoProportionZTest, DeepTailKeepsPrecision) {
  auto mid = TwoProportionZTest(500, 1000, 900, 1000);  // Evidently's 2 (1 - cdf) would give 0
  ASSERT_TRUE(mid.ok());
  EXPECT_NEAR(mid->statistic, 19.518001458970662, 1e-13);
  EXPECT_NEAR(*mid->p_value / 7.719934594295634e-85, 1.0, 1e-12);
  auto far = TwoProportionZTest(500, 5000, 4500, 5000);  // z = 80: below the double range
  ASSERT_TRUE(far.ok());
  EXPECT_NEAR(far->statistic, 80.0, 1e-12);
  EXPECT_EQ(*far->p_value, 0.0);
}

TEST(TwoProportionZTest, InvalidInput) {
  auto r = TwoProportionZTest(1, 0, 1, 2);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "proportion_z_test: sample 'reference' is empty");
  r = TwoProportionZTest(1, 2, 3, 2);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "proportion_z_test: sample 'current' has 3 positives but 2 observations");
}

}  // namespace
}  // namespace modelwatch
