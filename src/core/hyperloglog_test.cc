#include "modelwatch/core/hyperloglog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "internal/sketch_test_util.h"
#include "modelwatch/core/byte_codec.h"

namespace modelwatch {
namespace {

using ::testing::HasSubstr;

HyperLogLog Make(int p) {
  auto h = HyperLogLog::Create(p);
  EXPECT_TRUE(h.ok());
  return *h;
}

// Distinct values of one "seed": disjoint ranges of integers as text.
HyperLogLog Fill(int p, uint64_t seed, uint64_t n) {
  HyperLogLog h = Make(p);
  for (uint64_t i = 0; i < n; ++i) h.Update(std::to_string((seed << 40) + i));
  return h;
}

TEST(HyperLogLogTest, ValidatesPrecision) {
  EXPECT_EQ(HyperLogLog::Create(3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HyperLogLog::Create(19).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(HyperLogLog::Create(4).ok());
  EXPECT_TRUE(HyperLogLog::Create(18).ok());
  EXPECT_EQ(HyperLogLog().precision(), 12);
  EXPECT_NEAR(HyperLogLog::StandardError(12), 0.01625, 1e-5);
}

TEST(HyperLogLogTest, EmptyAndOneValue) {
  HyperLogLog h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.Estimate(), 0.0);
  h.Update("x");
  h.Update("x");
  EXPECT_FALSE(h.empty());
  EXPECT_NEAR(h.Estimate(), 1.0, 0.01);
}

TEST(HyperLogLogTest, DoublesByValue) {
  HyperLogLog h;
  h.Update(0.0);
  h.Update(-0.0);
  h.Update(std::nan(""));
  h.Update(-std::numeric_limits<double>::quiet_NaN());
  h.Update(std::numeric_limits<double>::infinity());
  EXPECT_NEAR(h.Estimate(), 3.0, 0.05);  // 0, NaN, inf
}

// |relative error| within 3 standard errors for every seed, and the mean error (bias) within
// 3 standard errors of the mean.
TEST(HyperLogLogTest, ErrorWithinThreeStandardErrors) {
  constexpr int kSeeds = 20;
  for (int p : {10, 12}) {
    const double se = HyperLogLog::StandardError(p);
    for (uint64_t n : {10ull, 1000ull, 100000ull, 1000000ull}) {
      if (p == 10 && n == 1000000) continue;  // keep the test quick; p=12 covers 1e6
      const int seeds = n == 1000000 ? 10 : kSeeds;
      double sum = 0.0;
      for (int seed = 0; seed < seeds; ++seed) {
        const double estimate = Fill(p, static_cast<uint64_t>(seed), n).Estimate();
        const double error = (estimate - static_cast<double>(n)) / static_cast<double>(n);
        EXPECT_LT(std::fabs(error), 3 * se) << "p " << p << " n " << n << " seed " << seed;
        sum += error;
      }
      EXPECT_LT(std::fabs(sum / seeds), 3 * se / std::sqrt(seeds) + 1e-3) << p << " " << n;
    }
  }
}

TEST(HyperLogLogTest, SmallCardinalitiesAreNearlyExact) {
  for (uint64_t n : {1ull, 2ull, 5ull, 10ull, 50ull}) {
    const double estimate = Fill(12, 9, n).Estimate();
    EXPECT_NEAR(estimate, static_cast<double>(n), 0.02 * static_cast<double>(n) + 0.5) << n;
  }
}

TEST(HyperLogLogTest, MergeIsUnionAndOrderFree) {
  HyperLogLog a = Make(12);
  HyperLogLog b = Make(12);
  HyperLogLog whole = Make(12);
  for (int i = 0; i < 30000; ++i) {
    const std::string v = "v" + std::to_string(i);
    (i % 3 == 0 ? a : b).Update(v);
    whole.Update(v);
    if (i % 5 == 0) a.Update(v);  // overlap
  }
  HyperLogLog ab = a;
  ASSERT_TRUE(ab.Merge(b).ok());
  HyperLogLog ba = b;
  ASSERT_TRUE(ba.Merge(a).ok());
  EXPECT_EQ(ab, whole);
  EXPECT_EQ(ba, whole);
  EXPECT_EQ(ab.Serialize(), whole.Serialize());
  ASSERT_TRUE(ab.Merge(ab).ok());
  EXPECT_EQ(ab, whole);
}

TEST(HyperLogLogTest, MergeRequiresSamePrecision) {
  HyperLogLog a = Make(12);
  a.Update("x");
  const HyperLogLog before = a;
  const Status s = a.Merge(Make(14));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("precision 14"));
  EXPECT_EQ(a, before);
}

TEST(HyperLogLogTest, SerializationRoundTripDenseAndSparse) {
  for (uint64_t n : {0ull, 1ull, 100ull, 1000ull, 100000ull}) {
    const HyperLogLog h = Fill(12, 1, n);
    testing::ExpectRoundTrip(h);
  }
  // Sparse while few registers are set: an empty sketch is tiny.
  EXPECT_LT(HyperLogLog().Serialize().size(), 30u);
  EXPECT_GT(Fill(12, 1, 100000).Serialize().size(), 4096u);
  testing::ExpectRoundTrip(Fill(4, 2, 1000));
  testing::ExpectRoundTrip(Fill(18, 2, 100));
}

TEST(HyperLogLogTest, RejectsDamagedBytes) {
  const std::string sparse = Fill(8, 3, 20).Serialize();
  testing::ExpectRejectsTruncationAndTrailing<HyperLogLog>(sparse);
  testing::ExpectRejectsByteCorruption<HyperLogLog>(sparse);
  const std::string dense = Fill(6, 3, 1000).Serialize();
  testing::ExpectRejectsTruncationAndTrailing<HyperLogLog>(dense);
  testing::ExpectRejectsByteCorruption<HyperLogLog>(dense);
}

TEST(HyperLogLogTest, RejectsForeignFamily) {
  const auto r = HyperLogLog::Deserialize(WriteFrame(FormatFamily::kKll, 1, ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "hyperloglog sketch: expected a HyperLogLog sketch, found family 1 (KLL)");
}

TEST(HyperLogLogTest, RejectsInconsistentPayloads) {
  using testing::ExpectPayloadRejected;
  const auto reject = [](const std::string& payload, std::string_view message) {
    ExpectPayloadRejected<HyperLogLog>(FormatFamily::kHyperLogLog, payload, message);
  };
  reject(std::string("\x03\x00", 2) + std::string(8, '\0'), "precision 3 is outside [4, 18]");
  reject(std::string("\x13\x01\x00", 3), "precision 19");
  reject(std::string("\x04\x02", 2), "unknown register encoding 2");
  // Dense: 16 registers for p = 4, each <= 61.
  reject(std::string("\x04\x00", 2) + std::string(15, '\0'), "truncated");
  reject(std::string("\x04\x00", 2) + std::string(15, '\0') + '\x3E', "more than the maximum 61");
  // Dense when sparse is shorter (all zero): not canonical.
  reject(std::string("\x04\x00", 2) + std::string(16, '\0'), "canonical");
  // Sparse: count, then (gap, value).
  reject(std::string("\x04\x01\x01\x10\x01", 5), "beyond the 16 registers");
  reject(std::string("\x04\x01\x01\x00\x00", 5), "outside [1, 61]");
  reject(std::string("\x04\x01\x11", 3), "more than the maximum 16");
  reject(std::string("\x04\x01\x05\x00\x01", 5), "bytes remain");
  reject(std::string("\x04\x01\x01\x00\x01\x00", 6), "1 trailing bytes");
  // Sparse with every register set is longer than dense: not canonical.
  std::string all_sparse("\x04\x01\x10", 3);
  for (int i = 0; i < 16; ++i) all_sparse += std::string("\x00\x01", 2);
  reject(all_sparse, "canonical");
}

}  // namespace
}  // namespace modelwatch
