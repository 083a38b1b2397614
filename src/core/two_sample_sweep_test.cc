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
    if (HasFatalFailure() || HasNonfatalFailure()) {
      ADD_FAILURE() << "case " << it;
      return;
    }
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
