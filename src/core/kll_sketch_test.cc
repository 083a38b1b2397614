#include "modelwatch/core/kll_sketch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "internal/sketch_test_util.h"
#include "modelwatch/core/byte_codec.h"

namespace modelwatch {
namespace {

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();

KllSketch Make(int k, uint64_t seed = KllSketch::kDefaultSeed) {
  auto s = KllSketch::Create(k, seed);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

KllSketch Fill(int k, const std::vector<double>& values, uint64_t seed = 1) {
  KllSketch s = Make(k, seed);
  for (double x : values) s.Update(x);
  return s;
}

// A random permutation of 0..n-1: the true rank of v is (v + 1) / n.
std::vector<double> Permutation(size_t n, uint64_t seed) {
  std::vector<double> v(n);
  std::iota(v.begin(), v.end(), 0.0);
  std::mt19937_64 rng(seed);
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

// The largest |estimated rank - true rank| over all x, for a sketch of a permutation of 0..n-1.
double MaxRankError(const KllSketch& s, size_t n) {
  const KllSortedView view = s.GetSortedView();
  const double nd = static_cast<double>(n);
  double worst = 0.0;
  uint64_t previous = 0;
  for (size_t i = 0; i < view.items().size(); ++i) {
    const double v = view.items()[i];
    const auto cum = static_cast<double>(view.cumulative_weights()[i]);
    worst = std::max(worst, std::fabs(cum - (v + 1.0)) / nd);
    worst = std::max(worst, std::fabs(static_cast<double>(previous) - v) / nd);
    previous = view.cumulative_weights()[i];
  }
  return worst;
}

// The exact two-sample Kolmogorov-Smirnov statistic (scipy.stats.ks_2samp's D): sort both
// samples and sweep the distinct values, where each CDF includes every item equal to the value.
double ExactKs(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t i = 0;
  size_t j = 0;
  double d = 0.0;
  while (i < a.size() || j < b.size()) {
    const double x = (j == b.size() || (i < a.size() && a[i] < b[j])) ? a[i] : b[j];
    while (i < a.size() && !(x < a[i])) ++i;
    while (j < b.size() && !(x < b[j])) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / static_cast<double>(a.size()) -
                              static_cast<double>(j) / static_cast<double>(b.size())));
  }
  return d;
}

TEST(KllSketchTest, ValidatesK) {
  EXPECT_EQ(KllSketch::Create(7).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KllSketch::Create(65536).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KllSketch::Create(-1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(KllSketch::Create(8).ok());
  EXPECT_TRUE(KllSketch::Create(65535).ok());
  EXPECT_EQ(KllSketch().k(), KllSketch::kDefaultProfileK);
}

TEST(KllSketchTest, Empty) {
  const KllSketch s = Make(200);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.n(), 0u);
  EXPECT_EQ(s.num_retained(), 0u);
  EXPECT_FALSE(s.is_estimation_mode());
  EXPECT_TRUE(std::isnan(s.min()));
  EXPECT_TRUE(std::isnan(s.max()));
  EXPECT_TRUE(std::isnan(s.Rank(0.0)));
  EXPECT_TRUE(std::isnan(s.Quantile(0.5)));
  EXPECT_TRUE(s.GetSortedView().empty());
  EXPECT_EQ(s.RankErrorBound(true), 0.0);
  testing::ExpectRoundTrip(s);
  EXPECT_TRUE(std::isnan(KolmogorovSmirnovDistance(s, Fill(200, {1.0})).statistic));
}

TEST(KllSketchTest, OneItem) {
  const KllSketch s = Fill(200, {2.5});
  EXPECT_EQ(s.n(), 1u);
  EXPECT_EQ(s.min(), 2.5);
  EXPECT_EQ(s.max(), 2.5);
  EXPECT_EQ(s.Rank(2.5), 1.0);
  EXPECT_EQ(s.Rank(2.4), 0.0);
  EXPECT_EQ(s.Rank(kInf), 1.0);
  for (double q : {0.0, 0.3, 1.0}) EXPECT_EQ(s.Quantile(q), 2.5);
  EXPECT_TRUE(std::isnan(s.Quantile(-0.1)));
  EXPECT_TRUE(std::isnan(s.Quantile(1.1)));
  EXPECT_TRUE(std::isnan(s.Quantile(std::nan(""))));
  EXPECT_TRUE(std::isnan(s.Rank(std::nan(""))));
  testing::ExpectRoundTrip(s);
}

TEST(KllSketchTest, ExactUpToKItems) {
  for (int k : {8, 200}) {
    const std::vector<double> values = Permutation(static_cast<size_t>(k), 3);
    const KllSketch s = Fill(k, values);
    EXPECT_FALSE(s.is_estimation_mode());
    EXPECT_EQ(s.num_retained(), static_cast<size_t>(k));
    EXPECT_EQ(s.RankErrorBound(false), 0.0);
    for (int v = 0; v < k; ++v) {
      EXPECT_DOUBLE_EQ(s.Rank(v), (v + 1.0) / k);
      // The smallest item whose rank >= q: q = (v + 1) / k gives v.
      EXPECT_EQ(s.Quantile((v + 1.0) / k), v) << v;
    }
    EXPECT_EQ(s.Quantile(0.0), 0.0);
    EXPECT_EQ(s.Quantile(1.0), k - 1);
  }
}

TEST(KllSketchTest, OneMoreThanKCompacts) {
  const int k = 200;
  const KllSketch s = Fill(k, Permutation(k + 1, 4));
  EXPECT_TRUE(s.is_estimation_mode());
  EXPECT_EQ(s.n(), static_cast<uint64_t>(k + 1));
  EXPECT_LT(s.num_retained(), static_cast<size_t>(k + 1));
  EXPECT_EQ(s.GetSortedView().n(), static_cast<uint64_t>(k + 1));
  EXPECT_EQ(s.min(), 0.0);
  EXPECT_EQ(s.max(), k);
  EXPECT_EQ(s.Quantile(0.0), 0.0);
  EXPECT_EQ(s.Quantile(1.0), k);
  EXPECT_LE(MaxRankError(s, k + 1), KllSketch::NormalizedRankError(k, true));
  EXPECT_GT(s.RankErrorBound(true), 0.0);
}

TEST(KllSketchTest, TiesAndDiscreteValues) {
  KllSketch s = Make(64);
  for (int i = 0; i < 100000; ++i) s.Update(static_cast<double>(i % 5));  // 0..4, 20% each
  const KllSortedView view = s.GetSortedView();
  EXPECT_EQ(view.items(), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(view.cumulative_weights().back(), 100000u);
  const double bound = KllSketch::NormalizedRankError(64, true);
  for (int v = 0; v < 5; ++v) EXPECT_NEAR(s.Rank(v), (v + 1) * 0.2, bound) << v;
  EXPECT_EQ(s.Rank(4.0), 1.0);
  EXPECT_EQ(s.Rank(-0.5), 0.0);
  EXPECT_EQ(s.Quantile(0.5), 2.0);

  KllSketch same = Make(8);
  for (int i = 0; i < 1000; ++i) same.Update(7.0);
  EXPECT_EQ(same.Rank(7.0), 1.0);
  EXPECT_EQ(same.Rank(6.9), 0.0);
  EXPECT_EQ(same.Quantile(0.01), 7.0);
  EXPECT_EQ(same.GetSortedView().items().size(), 1u);
}

TEST(KllSketchTest, NanIsIgnoredAndInfinitiesAreValues) {
  KllSketch s = Make(8);
  s.Update(std::nan(""));
  EXPECT_TRUE(s.empty());
  for (int i = 0; i < 100; ++i) {
    s.Update(i);
    s.Update(std::nan(""));
  }
  s.Update(kInf);
  s.Update(-kInf);
  EXPECT_EQ(s.n(), 102u);
  EXPECT_EQ(s.min(), -kInf);
  EXPECT_EQ(s.max(), kInf);
  EXPECT_EQ(s.Quantile(0.0), -kInf);
  EXPECT_EQ(s.Quantile(1.0), kInf);
  EXPECT_EQ(s.Rank(kInf), 1.0);
  EXPECT_GT(s.Rank(-kInf), 0.0);
  testing::ExpectRoundTrip(s);
}

TEST(KllSketchTest, NegativeZeroTiesWithZero) {
  KllSketch s = Make(8);
  s.Update(-0.0);
  s.Update(0.0);
  s.Update(1.0);
  EXPECT_NEAR(s.Rank(0.0), 2.0 / 3, 1e-15);
  EXPECT_NEAR(s.Rank(-0.0), 2.0 / 3, 1e-15);
  EXPECT_EQ(s.GetSortedView().items().size(), 2u);
  testing::ExpectRoundTrip(s);
}

// The a-priori bounds hold over many seeds: all-ranks error for every trial within the 99%
// bound (allowing 2 of 100 trials to exceed it, none by more than 25%), and the error of single
// queries within the single-query bound for 99% of them.
TEST(KllSketchTest, RankErrorWithinDocumentedBound) {
  constexpr int kSeeds = 100;
  for (int k : {64, 200}) {
    const size_t n = 50000;
    const double all_bound = KllSketch::NormalizedRankError(k, true);
    const double single_bound = KllSketch::NormalizedRankError(k, false);
    int all_exceeded = 0;
    int single_exceeded = 0;
    int single_total = 0;
    double worst = 0.0;
    for (int seed = 0; seed < kSeeds; ++seed) {
      const std::vector<double> values = Permutation(n, 100 + static_cast<uint64_t>(seed));
      const KllSketch s = Fill(k, values, static_cast<uint64_t>(seed));
      const double e = MaxRankError(s, n);
      worst = std::max(worst, e);
      all_exceeded += e > all_bound;
      for (double v : {n * 0.1, n * 0.5, n * 0.77, n * 0.95}) {
        single_exceeded += std::fabs(s.Rank(v) - (v + 1) / n) > single_bound;
        ++single_total;
      }
    }
    RecordProperty("k" + std::to_string(k) + "_trials_over_all_ranks_bound",
                   std::to_string(all_exceeded));
    RecordProperty("k" + std::to_string(k) + "_queries_over_single_bound",
                   std::to_string(single_exceeded));
    EXPECT_LE(all_exceeded, 2) << "k " << k;
    EXPECT_LE(worst, 1.25 * all_bound) << "k " << k;
    EXPECT_LE(single_exceeded, single_total / 100 + 1) << "k " << k;
  }
}

TEST(KllSketchTest, QuantileIsConsistentWithRank) {
  const size_t n = 100000;
  const KllSketch s = Fill(200, Permutation(n, 9));
  const double bound = KllSketch::NormalizedRankError(200, true);
  for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99}) {
    const double x = s.Quantile(q);
    EXPECT_GE(s.Rank(x), q);                  // the definition
    EXPECT_NEAR((x + 1) / n, q, bound) << q;  // and close to the true quantile
  }
  const KllSortedView view = s.GetSortedView();
  EXPECT_TRUE(std::is_sorted(view.items().begin(), view.items().end()));
  EXPECT_TRUE(std::is_sorted(view.cumulative_weights().begin(), view.cumulative_weights().end()));
  EXPECT_EQ(view.n(), n);
  for (double x : {0.0, 1234.5, 50000.0, 99999.0}) EXPECT_EQ(view.Rank(x), s.Rank(x));
}

TEST(KllSketchTest, MergingSplitDataMatchesTheWhole) {
  const size_t n = 200000;
  const int k = 200;
  const double bound = KllSketch::NormalizedRankError(k, true);
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const std::vector<double> values = Permutation(n, 500 + seed);
    std::vector<KllSketch> parts;
    for (int p = 0; p < 10; ++p) parts.push_back(Make(k, seed * 10 + static_cast<uint64_t>(p)));
    for (size_t i = 0; i < n; ++i) parts[(i * 7 / n + i) % 10].Update(values[i]);
    KllSketch merged = Make(k, seed);
    for (const KllSketch& p : parts) merged.Merge(p);
    EXPECT_EQ(merged.n(), n);
    EXPECT_EQ(merged.min(), 0.0);
    EXPECT_EQ(merged.max(), n - 1.0);
    EXPECT_LE(merged.num_retained(), Fill(k, values).num_retained() + 50);
    EXPECT_LE(MaxRankError(merged, n), 1.25 * bound) << seed;
    testing::ExpectRoundTrip(merged);
  }
}

TEST(KllSketchTest, MergeOfExactSketchesStaysExactUpToK) {
  KllSketch a = Fill(200, {1, 2, 3});
  const KllSketch b = Fill(200, {4, 5});
  a.Merge(b);
  EXPECT_FALSE(a.is_estimation_mode());
  EXPECT_EQ(a.n(), 5u);
  EXPECT_EQ(a.Rank(3), 0.6);
  a.Merge(a);  // self-merge doubles every count
  EXPECT_EQ(a.n(), 10u);
  EXPECT_EQ(a.Rank(3), 0.6);
  KllSketch empty = Make(200);
  empty.Merge(a);
  EXPECT_EQ(empty.n(), 10u);
  EXPECT_EQ(empty.min(), 1.0);
  a.Merge(Make(200));
  EXPECT_EQ(a.n(), 10u);
}

// Different k: the result keeps this sketch's k and reports the smaller one's error bound.
TEST(KllSketchTest, MergeWithDifferentK) {
  const size_t n = 100000;
  const std::vector<double> values = Permutation(n, 77);
  KllSketch big = Make(400, 1);
  KllSketch small = Make(50, 2);
  for (size_t i = 0; i < n; ++i) (i % 2 == 0 ? big : small).Update(values[i]);
  KllSketch a = big;
  a.Merge(small);
  EXPECT_EQ(a.k(), 400);
  EXPECT_EQ(a.min_k(), 50);
  EXPECT_EQ(a.RankErrorBound(true), KllSketch::NormalizedRankError(50, true));
  EXPECT_LE(MaxRankError(a, n), KllSketch::NormalizedRankError(50, true));
  KllSketch b = small;
  b.Merge(big);
  EXPECT_EQ(b.k(), 50);
  EXPECT_EQ(b.min_k(), 50);
  EXPECT_LE(MaxRankError(b, n), KllSketch::NormalizedRankError(50, true));
  testing::ExpectRoundTrip(a);
  testing::ExpectRoundTrip(b);
}

TEST(KllSketchTest, DeterministicAndRoundTripContinuesIdentically) {
  const std::vector<double> values = Permutation(30000, 8);
  const KllSketch a = Fill(100, values, 42);
  const KllSketch b = Fill(100, values, 42);
  EXPECT_EQ(a.Serialize(), b.Serialize());
  EXPECT_NE(Fill(100, values, 43).Serialize(), a.Serialize());
  testing::ExpectRoundTrip(a);

  // The PRNG state travels with the sketch: continuing after a round trip is the same as
  // continuing the original.
  KllSketch original = a;
  KllSketch restored = *KllSketch::Deserialize(a.Serialize());
  for (double x : Permutation(20000, 9)) {
    original.Update(x);
    restored.Update(x);
  }
  EXPECT_EQ(original.Serialize(), restored.Serialize());
}

TEST(KllSketchTest, RejectsDamagedBytes) {
  // A small estimation-mode sketch: every prefix and every byte.
  const std::string small = Fill(8, Permutation(60, 1)).Serialize();
  testing::ExpectRejectsTruncationAndTrailing<KllSketch>(small);
  testing::ExpectRejectsByteCorruption<KllSketch>(small);
  // A profile-sized one: every prefix, and every 97th byte.
  const std::string big = Fill(KllSketch::kDefaultProfileK, Permutation(20000, 2)).Serialize();
  testing::ExpectRejectsTruncationAndTrailing<KllSketch>(big);
  testing::ExpectRejectsByteCorruption<KllSketch>(big, 97);
}

TEST(KllSketchTest, RejectsForeignAndNewerFormats) {
  const auto foreign = KllSketch::Deserialize(WriteFrame(FormatFamily::kHyperLogLog, 1, ""));
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(foreign.status().message(),
            "kll sketch: expected a KLL sketch, found family 2 (HyperLogLog)");
  const auto newer = KllSketch::Deserialize(WriteFrame(FormatFamily::kKll, 3, ""));
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().message(),
            "kll sketch: version 3 is newer than this build supports (1)");
  const auto junk = KllSketch::Deserialize("k,v\n1,2\n");
  ASSERT_FALSE(junk.ok());
  EXPECT_THAT(junk.status().message(), HasSubstr("not a modelwatch sketch"));
}

// Payloads with a valid frame and checksum but inconsistent content.
class KllPayload {
 public:
  KllPayload(uint16_t k, uint16_t min_k, uint64_t n, uint8_t levels) {
    w_.PutU16(k);
    w_.PutU16(min_k);
    w_.PutVarint(n);
    w_.PutU64(1);
    w_.PutU8(levels);
  }
  KllPayload& MinMax(double min, double max) {
    w_.PutDouble(min);
    w_.PutDouble(max);
    return *this;
  }
  KllPayload& Level(const std::vector<double>& items) {
    w_.PutVarint(items.size());
    for (double x : items) w_.PutDouble(x);
    return *this;
  }
  KllPayload& Raw(std::string_view bytes) {
    w_.PutRaw(bytes);
    return *this;
  }
  std::string bytes() const { return w_.bytes(); }

 private:
  ByteWriter w_;
};

TEST(KllSketchTest, RejectsInconsistentPayloads) {
  const auto reject = [](const KllPayload& p, std::string_view message) {
    testing::ExpectPayloadRejected<KllSketch>(FormatFamily::kKll, p.bytes(), message);
  };
  // The well-formed baseline is accepted.
  const KllPayload ok = KllPayload(8, 8, 3, 1).MinMax(1, 3).Level({3, 1, 2});
  ASSERT_TRUE(KllSketch::Deserialize(WriteFrame(FormatFamily::kKll, 1, ok.bytes())).ok());

  reject(KllPayload(7, 7, 0, 1).Level({}), "k = 7 is below the minimum 8");
  reject(KllPayload(8, 9, 0, 1).Level({}), "min k = 9 is outside [8, k = 8]");
  reject(KllPayload(8, 8, 0, 0), "level count 0 is outside [1, 64]");
  reject(KllPayload(8, 8, 0, 65), "level count 65");
  reject(KllPayload(8, 8, 3, 1).MinMax(3, 1).Level({1, 2, 3}), "out of order");
  reject(KllPayload(8, 8, 3, 1).MinMax(std::nan(""), 1), "NaN");
  reject(KllPayload(8, 8, 3, 1).MinMax(1, 3).Level({1, 2}), "not the item count 3");
  reject(KllPayload(8, 8, 2, 1).MinMax(1, 3).Level({1, 2, 3}), "more weight than");
  reject(KllPayload(8, 8, 3, 1).MinMax(1, 3).Level({1, std::nan(""), 3}), "NaN or outside");
  reject(KllPayload(8, 8, 3, 1).MinMax(1, 3).Level({1, 4, 3}), "outside [minimum, maximum]");
  // 9 items exceed the capacity (8) of a one-level sketch with k = 8.
  reject(KllPayload(8, 8, 9, 1).MinMax(1, 9).Level({1, 2, 3, 4, 5, 6, 7, 8, 9}),
         "more than the maximum 8");
  reject(KllPayload(8, 8, 5, 2).MinMax(1, 9).Level({1}).Level({9, 2}), "level 1 is not sorted");
  reject(KllPayload(8, 8, 1, 2).MinMax(1, 1).Level({1}).Level({}), "top level is empty");
  reject(KllPayload(8, 8, 3, 1).MinMax(1, 3).Level({1, 2, 3}).Raw("x"), "1 trailing bytes");
  reject(KllPayload(8, 8, 3, 1).MinMax(1, 3).Raw("\x03"), "but only 0 bytes remain");
  testing::ExpectPayloadRejected<KllSketch>(FormatFamily::kKll, std::string("\x08\x00\x08", 3),
                                            "kll sketch: truncated at byte 18 reading 'min k'");
  // A hostile count must be rejected before anything is allocated for it.
  KllPayload hostile(65535, 65535, uint64_t{1} << 62, 40);
  hostile.MinMax(0, 1).Raw(std::string("\xFF\xFF\xFF\xFF\x0F", 5));
  reject(hostile, "level 0 item count");
}

TEST(KllKsDistanceTest, ExactSketchesGiveTheExactStatistic) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> d0(0, 1);
  std::normal_distribution<double> d1(0.3, 1);
  std::vector<double> a(500);
  std::vector<double> b(300);
  for (double& x : a) x = std::round(d0(rng) * 4) / 4;  // with ties
  for (double& x : b) x = std::round(d1(rng) * 4) / 4;
  const KllKsDistance d = KolmogorovSmirnovDistance(Fill(1000, a), Fill(1000, b));
  EXPECT_DOUBLE_EQ(d.statistic, ExactKs(a, b));
  EXPECT_EQ(d.error_bound, 0.0);
  EXPECT_EQ(KolmogorovSmirnovDistance(Fill(1000, a), Fill(1000, a)).statistic, 0.0);
}

// The product requirement behind kDefaultProfileK: the KS statistic from two profile sketches of
// 1M rows each is within 0.01 of the exact statistic, for several distributions (continuous,
// shifted, heavy-tailed, discrete with many ties, different shapes) and seeds, including sketches
// merged from parts (profiles are merged across windows). docs/sketches.md has the wider
// measurement (bench/sketch_accuracy ks).
TEST(KllKsDistanceTest, ProfileKGivesKsWithinOneHundredth) {
  constexpr size_t kRows = 1'000'000;
  struct Case {
    const char* name;
    std::function<double(std::mt19937_64&)> a;
    std::function<double(std::mt19937_64&)> b;
  };
  std::normal_distribution<double> normal(0, 1);
  std::normal_distribution<double> shifted(0.02, 1);
  std::cauchy_distribution<double> cauchy(0, 1);
  std::cauchy_distribution<double> cauchy_wide(0, 1.05);
  std::poisson_distribution<int> poisson(3.0);
  std::poisson_distribution<int> poisson_shifted(3.05);
  std::lognormal_distribution<double> lognormal(0, 2);
  const std::vector<Case> cases = {
      {"normal vs normal", [&](auto& r) { return normal(r); }, [&](auto& r) { return normal(r); }},
      {"normal vs shifted", [&](auto& r) { return normal(r); },
       [&](auto& r) { return shifted(r); }},
      {"cauchy vs wider", [&](auto& r) { return cauchy(r); },
       [&](auto& r) { return cauchy_wide(r); }},
      {"poisson (ties)", [&](auto& r) { return double(poisson(r)); },
       [&](auto& r) { return double(poisson_shifted(r)); }},
      {"lognormal vs normal", [&](auto& r) { return lognormal(r); },
       [&](auto& r) { return normal(r); }},
  };
  double worst = 0.0;
  for (size_t c = 0; c < cases.size(); ++c) {
    for (uint64_t seed = 0; seed < 2; ++seed) {
      std::mt19937_64 rng(seed * 100 + c);
      std::vector<double> a(kRows);
      std::vector<double> b(kRows);
      for (double& x : a) x = cases[c].a(rng);
      for (double& x : b) x = cases[c].b(rng);
      KllSketch sa = Make(KllSketch::kDefaultProfileK, seed + 1);
      for (double x : a) sa.Update(x);
      // b as the merge of 8 window sketches.
      KllSketch sb = Make(KllSketch::kDefaultProfileK, seed + 2);
      for (size_t part = 0; part < 8; ++part) {
        KllSketch window = Make(KllSketch::kDefaultProfileK, seed * 8 + part);
        for (size_t i = part * kRows / 8; i < (part + 1) * kRows / 8; ++i) window.Update(b[i]);
        sb.Merge(window);
      }
      const KllKsDistance d = KolmogorovSmirnovDistance(sa, sb);
      const double exact = ExactKs(std::move(a), std::move(b));
      const double error = std::fabs(d.statistic - exact);
      worst = std::max(worst, error);
      EXPECT_LE(error, 0.01) << cases[c].name << " seed " << seed;
      EXPECT_LE(error, d.error_bound) << cases[c].name << " seed " << seed;
      EXPECT_LE(d.error_bound, 0.01);
    }
  }
  RecordProperty("worst_ks_error", std::to_string(worst));
}

}  // namespace
}  // namespace modelwatch
