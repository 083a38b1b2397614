// Expected values computed with numpy 1.24 (histogram_bin_edges(..., 'sturges'), histogram).
#include "modelwatch/core/histogram_binning.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace modelwatch {
namespace {

TEST(SturgesBinEdgesTest, PooledRange) {
  const std::vector<double> ref = {0, 1, 2, 3, 4, 5}, cur = {6, 7, 8, 9, 10};
  auto e = SturgesBinEdges(ref, cur);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (std::vector<double>{0, 2, 4, 6, 8, 10}));  // log2(11) + 1 = 4.46 -> 5 bins
}

TEST(SturgesBinEdgesTest, ConstantDataWidensByHalf) {
  const std::vector<double> ref = {2, 2}, cur = {2};
  auto e = SturgesBinEdges(ref, cur);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (std::vector<double>{1.5, 2.5}));
}

TEST(SturgesBinEdgesTest, OneElementEach) {
  const std::vector<double> ref = {-0.20016121179873125}, cur = {0.6558047598747196};
  auto e = SturgesBinEdges(ref, cur);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e,
            (std::vector<double>{-0.20016121179873125, 0.2278217740379942, 0.6558047598747196}));
}

TEST(SturgesBinEdgesTest, InvalidInput) {
  const std::vector<double> ok = {1, 2}, nan = {1, std::nan("")},
                            inf = {1, std::numeric_limits<double>::infinity()},
                            huge = {-1.7e308, 1.7e308};
  auto e = SturgesBinEdges(ok, nan);
  ASSERT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(e.status().message(),
            "histogram_bin_edges: sample 'current' has a non-finite value at index 1");
  EXPECT_EQ(SturgesBinEdges(inf, ok).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SturgesBinEdges({}, ok).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SturgesBinEdges(huge, ok).status().code(), StatusCode::kInvalidArgument);
}

TEST(HistogramCountsTest, HalfOpenBinsLastClosed) {
  const std::vector<double> values = {0, 1, 2, 2.5, 5, -1, 6, std::nan("")};
  const std::vector<double> edges = {0, 2, 5};
  auto c = HistogramCounts(values, edges);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, (std::vector<uint64_t>{2, 3}));  // -1, 6 and NaN are not counted
}

TEST(HistogramCountsTest, RepeatedEdges) {
  const std::vector<double> values = {1, 1, 2, 3};
  const std::vector<double> edges = {1, 1, 3};
  auto c = HistogramCounts(values, edges);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, (std::vector<uint64_t>{0, 4}));
  const std::vector<double> degenerate = {5, 5};  // a last bin [5, 5] holds the 5s
  const std::vector<double> fives = {5, 5, 4};
  EXPECT_EQ(*HistogramCounts(fives, degenerate), (std::vector<uint64_t>{2}));
}

TEST(HistogramCountsTest, InvalidEdges) {
  const std::vector<double> values = {1};
  const std::vector<double> one = {1}, decreasing = {1, 0}, nan = {0, std::nan("")};
  EXPECT_EQ(HistogramCounts(values, one).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HistogramCounts(values, decreasing).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HistogramCounts(values, nan).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelwatch
