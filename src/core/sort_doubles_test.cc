#include "modelwatch/core/sort_doubles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace modelwatch {
namespace {

// Sorted by SortDoubles and by std::sort, bit for bit (zeros compared by value: their order
// among themselves is the only freedom).
void ExpectSortsLikeStdSort(std::vector<double> values) {
  std::vector<double> expected = values;
  std::sort(expected.begin(), expected.end());
  SortDoubles(values);
  ASSERT_EQ(values.size(), expected.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (expected[i] == 0.0) {
      EXPECT_EQ(values[i], 0.0) << i;
    } else {
      EXPECT_EQ(std::bit_cast<uint64_t>(values[i]), std::bit_cast<uint64_t>(expected[i])) << i;
    }
  }
}

TEST(SortDoublesTest, EmptyAndSingle) {
  ExpectSortsLikeStdSort({});
  ExpectSortsLikeStdSort({3.5});
}

TEST(SortDoublesTest, SmallInputs) {
  ExpectSortsLikeStdSort({3.0, -1.0, 2.0, 2.0, -0.0, 0.0, 1e-300, -1e300});
}

TEST(SortDoublesTest, LargeRandomAcrossSignsAndScales) {
  std::mt19937_64 rng(7);
  for (size_t n : {1024u, 5000u, 100000u}) {
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> v(n);
    for (double& x : v) x = normal(rng) * std::pow(10.0, normal(rng) * 5);
    ExpectSortsLikeStdSort(v);
  }
}

TEST(SortDoublesTest, SpecialValuesAndTies) {
  std::mt19937_64 rng(11);
  std::vector<double> v;
  const double inf = std::numeric_limits<double>::infinity();
  const double pool[] = {inf,  -inf, 0.0, -0.0, std::numeric_limits<double>::min(),
                         -std::numeric_limits<double>::denorm_min(),
                         std::numeric_limits<double>::max(), 1.0, -1.0, 0.5};
  std::uniform_int_distribution<size_t> pick(0, std::size(pool) - 1);
  for (int i = 0; i < 20000; ++i) v.push_back(pool[pick(rng)]);
  ExpectSortsLikeStdSort(v);
  std::vector<double> sorted = v;
  SortDoubles(sorted);
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i - 1] == 0.0 && sorted[i] == 0.0) {
      EXPECT_FALSE(!std::signbit(sorted[i - 1]) && std::signbit(sorted[i])) << "-0 before +0";
    }
  }
}

TEST(SortDoublesTest, IntegersSkipConstantDigits) {
  // Small non-negative integers share the sign and most exponent bits: passes are skipped.
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> d(0, 1000);
  std::vector<double> v(50000);
  for (double& x : v) x = d(rng);
  ExpectSortsLikeStdSort(v);
}

TEST(SortDoublesTest, AlreadySortedAndReversed) {
  std::vector<double> v(4096);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i) * 0.25 - 100;
  ExpectSortsLikeStdSort(v);
  std::reverse(v.begin(), v.end());
  ExpectSortsLikeStdSort(v);
}

}  // namespace
}  // namespace modelwatch
