#include "modelwatch/core/sort_doubles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <span>
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

// SortDoubles puts -0.0 before 0.0 (their keys' order), which std::sort leaves open.
void ExpectNegativeZerosFirst(std::vector<double> values) {
  SortDoubles(values);
  for (size_t i = 1; i < values.size(); ++i) {
    EXPECT_FALSE(values[i - 1] == 0.0 && values[i] == 0.0 && !std::signbit(values[i - 1]) &&
                 std::signbit(values[i]))
        << "n " << values.size() << ": 0.0 before -0.0 at " << i;
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
  const double pool[] = {inf,
                         -inf,
                         0.0,
                         -0.0,
                         std::numeric_limits<double>::min(),
                         -std::numeric_limits<double>::denorm_min(),
                         std::numeric_limits<double>::max(),
                         1.0,
                         -1.0,
                         0.5};
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

// Every size around the switch to the radix sort and around the insertion-sort buckets, with the
// zero signs checked: -0.0 before 0.0 at every size (input ascending by value is left as is).
TEST(SortDoublesTest, SizesAroundThresholdsAndZeroSigns) {
  std::mt19937_64 rng(5);
  for (size_t n : {2u, 3u, 31u, 32u, 33u, 255u, 256u, 257u, 1023u, 1024u, 4099u}) {
    std::vector<double> v(n);
    for (double& x : v) x = rng() % 3 == 0 ? (rng() % 2 ? 0.0 : -0.0) : double(rng() % 7) - 3.0;
    v.back() = -4.0;  // not ascending yet
    ExpectSortsLikeStdSort(v);
    ExpectNegativeZerosFirst(v);
  }
}

TEST(SortDoublesTest, AllEqualAndTwoValues) {
  ExpectSortsLikeStdSort(std::vector<double>(5000, 2.5));
  std::vector<double> two(5000);
  for (size_t i = 0; i < two.size(); ++i) two[i] = i % 3 ? 1e300 : -1e-300;
  ExpectSortsLikeStdSort(two);
}

// Values that differ only in their lowest bits, or that crowd into one top-level bucket while a
// few lie far away: the buckets are split again on the bits that still vary.
TEST(SortDoublesTest, SkewedAndLowBitDistributions) {
  std::mt19937_64 rng(9);
  std::vector<double> low_bits(100000);
  for (double& x : low_bits) x = std::bit_cast<double>(0x3FF0000000000000ull | (rng() & 0xFFF));
  ExpectSortsLikeStdSort(low_bits);
  std::vector<double> skewed(100000);
  std::normal_distribution<double> normal(1000.0, 1e-9);
  for (double& x : skewed) x = rng() % 1000 == 0 ? -1e200 : normal(rng);
  ExpectSortsLikeStdSort(skewed);
  std::vector<double> sorted_but_one(100000);
  for (size_t i = 0; i < sorted_but_one.size(); ++i) sorted_but_one[i] = double(i);
  std::swap(sorted_but_one[10], sorted_but_one[99990]);
  ExpectSortsLikeStdSort(sorted_but_one);
}

// Buckets of every size side by side: point masses (large buckets, sorted by a call of their
// own) between sparse values (runs of small buckets finished by one insertion sort each), at
// sizes where the runs start and end at the edges of the range.
TEST(SortDoublesTest, LargeBucketsBetweenRunsOfSmallOnes) {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> uniform(-100.0, 100.0);
  for (size_t n : {300u, 4096u, 70000u, 1000000u}) {
    std::vector<double> v(n);
    for (double& x : v) {
      const uint64_t r = rng() % 8;
      x = r == 0   ? -50.0
          : r == 1 ? 25.0 + 1e-12 * static_cast<double>(rng() % 64)
          : r == 2 ? 99.0
                   : uniform(rng);
    }
    ExpectSortsLikeStdSort(v);
  }
}

// Odd sizes (the last key belongs to the second of the two halves counted and scattered as
// separate streams) around the thresholds, with ties and both zeros: -0.0 before 0.0.
TEST(SortDoublesTest, OddSizesWithTiesAndZeroSigns) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (size_t n : {33u, 35u, 257u, 259u, 1001u, 4097u, 16385u, 65537u, 100001u}) {
    std::vector<double> v(n);
    for (double& x : v) {
      const uint64_t r = rng() % 4;
      x = r == 0 ? (rng() % 2 ? 0.0 : -0.0) : r == 1 ? double(rng() % 5) : normal(rng);
    }
    v.back() = -0.0;  // the odd one out: the last key, a zero
    ExpectSortsLikeStdSort(v);
    ExpectNegativeZerosFirst(v);
  }
}

// The digit of a pass is guessed from a sample of its keys; keys the sample misses that differ in
// a higher bit (an outlier among all values, or among the keys of one bucket), or a sample of
// equal keys in a bucket that is not all equal, must still be sorted.
TEST(SortDoublesTest, KeysTheDigitSampleMisses) {
  std::mt19937_64 rng(19);
  std::uniform_real_distribution<double> uniform(2.0, 4.0);
  for (size_t n : {300u, 5000u, 100000u, 100001u}) {
    // All values in [2, 4) but one far below, off the sample's stride.
    std::vector<double> v(n);
    for (double& x : v) x = uniform(rng);
    v[1] = 0.5;
    ExpectSortsLikeStdSort(v);
    v[1] = -1e300;
    ExpectSortsLikeStdSort(v);
    // Keys of one top-level bucket that differ in their lowest bits only, but for one that
    // differs higher up; and a bucket of equal keys but for one.
    std::vector<double> w(n);
    for (double& x : w) {
      x = std::bit_cast<double>(0x3FF0000000000000ull | (rng() & 0xFFF));
    }
    w[0] = -5.0;  // the top-level digit takes the sign and exponent bits
    w[1] = 1.0;   // first in the bucket of the others, where the sample starts
    w[2] = std::bit_cast<double>(0x3FF0000004000000ull);
    ExpectSortsLikeStdSort(w);
    std::fill(w.begin() + 1, w.end(), 1.0);
    w[2] = std::nextafter(1.0, 2.0);
    ExpectSortsLikeStdSort(w);
  }
}

// Columns like those of the drift benchmark: six significant digits (many ties), integers,
// heavy tails and a tiny scale.
TEST(SortDoublesTest, RoundedColumnsLikeTheBenchmark) {
  std::mt19937_64 rng(23);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::lognormal_distribution<double> lognormal(3.0, 0.5);
  std::poisson_distribution<int> poisson(20);
  std::student_t_distribution<double> student(5);
  auto round6 = [](double x) {  // as the benchmark's CSV files write it
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", x);
    return std::strtod(text, nullptr);
  };
  for (int column = 0; column < 4; ++column) {
    std::vector<double> v(200000);
    for (double& x : v) {
      x = column == 0   ? round6(normal(rng) * 0.01)
          : column == 1 ? round6(lognormal(rng))
          : column == 2 ? double(poisson(rng))
                        : round6(student(rng));
    }
    ExpectSortsLikeStdSort(v);
  }
}

// NaN has no place in the contract, but it must not break the sort of the other values.
TEST(SortDoublesTest, NanDoesNotBreakTheRest) {
  std::mt19937_64 rng(2);
  std::vector<double> v(3000);
  for (double& x : v) x = double(rng() % 100);
  v[17] = std::numeric_limits<double>::quiet_NaN();
  v[2000] = -std::numeric_limits<double>::quiet_NaN();
  SortDoubles(v);
  std::vector<double> rest;
  for (double x : v) {
    if (!std::isnan(x)) rest.push_back(x);
  }
  EXPECT_EQ(rest.size(), 2998u);
  EXPECT_TRUE(std::is_sorted(rest.begin(), rest.end()));
}

TEST(SortDoublesTest, SortedViewCopiesOnlyUnsortedInput) {
  const std::vector<double> sorted = {-1.0, 0.0, 2.0};
  std::vector<double> storage;
  EXPECT_EQ(SortedView(sorted, &storage).data(), sorted.data());
  EXPECT_TRUE(storage.empty());
  const std::vector<double> unsorted = {2.0, -1.0, 0.0};
  const std::span<const double> view = SortedView(unsorted, &storage);
  EXPECT_EQ(view.data(), storage.data());
  EXPECT_EQ(std::vector<double>(view.begin(), view.end()), sorted);
}

}  // namespace
}  // namespace modelwatch
