#include "modelwatch/core/two_sample_sweep.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "internal/pairwise_sum.h"
#include "modelwatch/core/sort_doubles.h"

namespace modelwatch {
namespace {

// SciPy's definitions, literally: ks_2samp's cddiffs over concatenate(a, b) with argmax/argmin
// (first index), and _cdf_distance's sum over the sorted pooled values, in numpy's order.
struct Reference {
  KsStatistic ks;
  double wasserstein = 0.0;
};

Reference Literal(const std::vector<double>& a, const std::vector<double>& b) {
  auto cdf = [](const std::vector<double>& s, double x) {
    return static_cast<double>(std::upper_bound(s.begin(), s.end(), x) - s.begin()) /
           static_cast<double>(s.size());
  };
  std::vector<double> all = a;
  all.insert(all.end(), b.begin(), b.end());
  size_t arg_max = 0, arg_min = 0;
  std::vector<double> diffs;
  for (double x : all) diffs.push_back(cdf(a, x) - cdf(b, x));
  for (size_t i = 0; i < diffs.size(); ++i) {
    if (diffs[i] > diffs[arg_max]) arg_max = i;
    if (diffs[i] < diffs[arg_min]) arg_min = i;
  }
  Reference r;
  const double min_s = std::clamp(-diffs[arg_min], 0.0, 1.0);
  if (min_s > diffs[arg_max]) {
    r.ks = {min_s, all[arg_min], -1};
  } else {
    r.ks = {diffs[arg_max], all[arg_max], 1};
  }
  // The pooled values as a stable merge (a first among equal values) orders them.
  std::vector<double> merged;
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(merged));
  r.wasserstein = internal::NumpyPairwiseSum(merged.size() - 1, [&](size_t t) {
    return std::fabs(cdf(a, merged[t]) - cdf(b, merged[t])) * (merged[t + 1] - merged[t]);
  });
  return r;
}

// After a random case of a loop: true, naming the case, once the test has failed (so that a
// broken walk reports its first failing case, not hundreds).
bool FailedAtCase(int it) {
  if (!::testing::Test::HasFailure()) return false;
  ADD_FAILURE() << "case " << it;
  return true;
}

void ExpectLiteral(std::vector<double> a, std::vector<double> b, bool finite) {
  SortDoubles(a);
  SortDoubles(b);
  const Reference want = Literal(a, b);
  const SortedSampleComparison both = CompareSortedSamples(a, b, true, finite);
  const SortedSampleComparison ks = CompareSortedSamples(a, b, true, false);
  for (const KsStatistic& got : {both.ks, ks.ks}) {
    EXPECT_EQ(std::bit_cast<uint64_t>(got.d), std::bit_cast<uint64_t>(want.ks.d));
    EXPECT_EQ(std::bit_cast<uint64_t>(got.location), std::bit_cast<uint64_t>(want.ks.location));
    EXPECT_EQ(got.sign, want.ks.sign);
  }
  if (finite) {
    const SortedSampleComparison w = CompareSortedSamples(a, b, false, true);
    EXPECT_EQ(std::bit_cast<uint64_t>(both.wasserstein), std::bit_cast<uint64_t>(want.wasserstein));
    EXPECT_EQ(std::bit_cast<uint64_t>(w.wasserstein), std::bit_cast<uint64_t>(want.wasserstein));
  }
}

TEST(TwoSampleSweepTest, SingleValues) {
  ExpectLiteral({1.0}, {2.0}, true);
  ExpectLiteral({2.0}, {1.0}, true);
  ExpectLiteral({1.0}, {1.0}, true);
  ExpectLiteral({0.0}, {-0.0}, true);
}

TEST(TwoSampleSweepTest, KnownValues) {
  const std::vector<double> a = {0, 1, 3}, b = {5, 6, 8};
  const SortedSampleComparison r = CompareSortedSamples(a, b, true, true);
  EXPECT_EQ(r.ks.d, 1.0);
  EXPECT_EQ(r.ks.location, 3.0);
  EXPECT_EQ(r.ks.sign, 1);
  EXPECT_EQ(r.wasserstein, 5.0);
}

// Continuous samples (the fast path), ties within and across the samples (runs), signed zeros,
// infinities (KS only), and sizes that leave the interleaved merges unequal parts.
TEST(TwoSampleSweepTest, EqualsTheLiteralDefinitions) {
  std::mt19937_64 rng(17);
  const double inf = std::numeric_limits<double>::infinity();
  for (int it = 0; it < 3000; ++it) {
    const int kind = it % 6;
    const bool finite = kind != 3;
    auto draw = [&](size_t n) {
      std::vector<double> v(n);
      for (double& x : v) {
        switch (kind) {
          case 0:
            x = std::normal_distribution<double>()(rng);
            break;
          case 1:
            x = static_cast<double>(rng() % 5);
            break;
          case 2:
            x = std::vector<double>{0.0, -0.0, 1.0, -1.0, 2.5}[rng() % 5];
            break;
          case 3:
            x = std::vector<double>{0.0, -0.0, inf, -inf, 1.0}[rng() % 5];
            break;
          case 4:
            x = static_cast<double>(rng() % 1000) / 10;
            break;
          default:
            x = rng() % 3 == 0 ? 0.5 : std::normal_distribution<double>()(rng);
            break;
        }
      }
      return v;
    };
    const size_t max = it % 50 == 0 ? 3000 : 40;
    ExpectLiteral(draw(1 + rng() % max), draw(1 + rng() % max), finite);
    if (FailedAtCase(it)) return;
  }
}

// Long samples, where the walk bounds each block of values by F at its ends and walks it again
// with places only when that bound may beat an extreme: runs of equal values of every length
// (within a block, across a block's end, longer than a block, at either end of the samples),
// samples of very different sizes, and a shift that keeps adding extremes in the middle.
TEST(TwoSampleSweepTest, RunsAcrossTheBlocksOfTheFastPath) {
  std::mt19937_64 rng(29);
  for (int it = 0; it < 120; ++it) {
    const double shift = (it % 4) * 0.05;
    auto draw = [&](size_t n, double mean) {
      std::vector<double> v(n);
      for (double& x : v) x = std::normal_distribution<double>(mean)(rng);
      // Runs: a value repeated 1 to 300 times, in a few places (ends of the range included).
      const int runs = 1 + static_cast<int>(rng() % 6);
      for (int r = 0; r < runs; ++r) {
        const double value = r == 0 && it % 3 == 0 ? -8.0 : std::normal_distribution<double>()(rng);
        const size_t length = std::min<size_t>(n, 1 + rng() % 300);
        for (size_t k = 0; k < length; ++k) v[rng() % n] = value;
      }
      return v;
    };
    const size_t na = it % 5 == 0 ? 1 + rng() % 8 : 500 + rng() % 6000;
    const size_t nb = it % 7 == 0 ? 20000 + rng() % 500 : 500 + rng() % 6000;
    ExpectLiteral(draw(na, 0.0), draw(nb, shift), true);
    ExpectLiteral(draw(nb, shift), draw(na, 0.0), true);
    if (FailedAtCase(it)) return;
  }
}

// Discrete samples that share every value: each run holds values of both samples, and the
// extremes are attained at run ends far from the start.
TEST(TwoSampleSweepTest, SharedRunsOfEveryLength) {
  std::mt19937_64 rng(31);
  for (int it = 0; it < 60; ++it) {
    const int levels = 1 + static_cast<int>(rng() % 400);
    auto draw = [&](size_t n, int skew) {
      std::vector<double> v(n);
      for (double& x : v) {
        x = static_cast<double>(std::min(rng() % levels, rng() % levels + skew)) * 0.25;
      }
      return v;
    };
    ExpectLiteral(draw(1 + rng() % 5000, 0), draw(1 + rng() % 5000, it % 3), true);
    if (FailedAtCase(it)) return;
  }
}

// Equal sizes, so that equal differences recur and the first index decides between the
// samples; a run longer than a block, with a's values before b's, begins after a stretch of
// distinct values (where the walk bounds blocks instead of tracking places), and runs of both
// samples' values follow it.
TEST(TwoSampleSweepTest, RunLongerThanABlockAfterDistinctValues) {
  std::mt19937_64 rng(37);
  for (int it = 0; it < 400; ++it) {
    const size_t n = 300 + rng() % 700;
    const double tie = std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
    const size_t in_a = 1 + rng() % 5, in_b = 65 + rng() % 200;
    // Distinct values below the run, shared ones above it (mixed runs: equal differences).
    auto draw = [&](size_t ties, double shift) {
      std::vector<double> v(n - ties);
      for (double& x : v) {
        x = std::normal_distribution<double>(shift)(rng);
        if (x > tie) x = tie + 0.125 * (1 + static_cast<int>(rng() % 16));
      }
      v.insert(v.end(), ties, tie);
      return v;
    };
    ExpectLiteral(draw(in_a, 0.0), draw(in_b, 0.1 * (it % 3)), true);
    if (FailedAtCase(it)) return;
  }
}

TEST(TwoSampleSweepTest, NothingAskedNothingComputed) {
  const std::vector<double> a = {1.0, 2.0}, b = {3.0};
  const SortedSampleComparison r = CompareSortedSamples(a, b, false, false);
  EXPECT_EQ(r.wasserstein, 0.0);
  EXPECT_EQ(r.ks.d, 0.0);
}

}  // namespace
}  // namespace modelwatch
