#include "modelwatch/core/frequent_items.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "internal/sketch_test_util.h"
#include "modelwatch/core/byte_codec.h"

namespace modelwatch {
namespace {

using ::testing::HasSubstr;

FrequentItems Make(size_t capacity) {
  auto f = FrequentItems::Create(capacity);
  EXPECT_TRUE(f.ok());
  return *f;
}

// A skewed stream: item i with probability ~ 1/(i+1)^1.1 over `distinct` items (Zipf-like),
// built by inverse transform so that it is the same on every platform.
std::vector<std::string> ZipfStream(size_t n, size_t distinct, uint64_t seed) {
  std::vector<double> cdf(distinct);
  double sum = 0;
  for (size_t i = 0; i < distinct; ++i) cdf[i] = (sum += 1.0 / std::pow(i + 1.0, 1.1));
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(rng() >> 11) * 0x1p-53 * sum;
    const size_t item =
        static_cast<size_t>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    out.push_back("item" + std::to_string(std::min(item, distinct - 1)));
  }
  return out;
}

std::map<std::string, uint64_t> ExactCounts(const std::vector<std::string>& stream) {
  std::map<std::string, uint64_t> counts;
  for (const std::string& s : stream) ++counts[s];
  return counts;
}

// Every guarantee of the header against the exact counts.
void ExpectBoundsHold(const FrequentItems& f, const std::map<std::string, uint64_t>& exact) {
  uint64_t n = 0;
  for (const auto& [item, count] : exact) n += count;
  ASSERT_EQ(f.n(), n);
  EXPECT_LE(f.MaximumError(), n / f.capacity());
  for (const auto& [item, count] : exact) {
    EXPECT_LE(f.LowerBound(item), count) << item;
    EXPECT_GE(f.UpperBound(item), count) << item;
  }
  for (const FrequentItems::Row& row : f.Items()) {
    EXPECT_LE(row.upper_bound - row.lower_bound, f.MaximumError()) << row.item;
    EXPECT_EQ(row.estimate, row.upper_bound);
  }
  // Items above n / capacity are monitored (so reported with no false negatives).
  const auto reported = f.ItemsAbove(f.MaximumError(), FrequentItems::ErrorType::kNoFalseNegatives);
  for (const auto& entry : exact) {
    if (entry.second <= f.MaximumError()) continue;
    EXPECT_TRUE(std::any_of(reported.begin(), reported.end(),
                            [&](const auto& r) { return r.item == entry.first; }))
        << entry.first << " " << entry.second;
  }
  for (const auto& r : f.ItemsAbove(0, FrequentItems::ErrorType::kNoFalsePositives)) {
    EXPECT_GT(exact.at(r.item), 0u);
  }
}

TEST(FrequentItemsTest, ValidatesCapacity) {
  EXPECT_EQ(FrequentItems::Create(1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FrequentItems::Create(FrequentItems::kMaxCapacity + 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FrequentItems().capacity(), FrequentItems::kDefaultCapacity);
}

TEST(FrequentItemsTest, EmptyAndExactWhileUnderCapacity) {
  FrequentItems f = Make(4);
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.MaximumError(), 0u);
  EXPECT_TRUE(f.Items().empty());
  EXPECT_EQ(f.UpperBound("x"), 0u);
  testing::ExpectRoundTrip(f);
  f.Update("a", 3);
  f.Update("b");
  f.Update("a");
  f.Update("c", 0);  // no-op
  EXPECT_EQ(f.n(), 5u);
  EXPECT_EQ(f.MaximumError(), 0u);
  EXPECT_EQ(f.Items(), (std::vector<FrequentItems::Row>{{"a", 4, 4, 4}, {"b", 1, 1, 1}}));
  testing::ExpectRoundTrip(f);
}

TEST(FrequentItemsTest, ReplacesTheMinimumWithItsCountAsError) {
  FrequentItems f = Make(2);
  f.Update("a", 5);
  f.Update("b", 2);
  f.Update("c");  // evicts b (2): c = 3 with error 2
  EXPECT_EQ(f.LowerBound("c"), 1u);
  EXPECT_EQ(f.UpperBound("c"), 3u);
  EXPECT_EQ(f.LowerBound("b"), 0u);
  EXPECT_EQ(f.UpperBound("b"), 3u);  // not monitored: at most the minimum counter
  EXPECT_EQ(f.MaximumError(), 3u);
  EXPECT_LE(f.MaximumError(), f.n() / f.capacity());
}

TEST(FrequentItemsTest, HeavyHittersFoundAndBoundsHold) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    const auto stream = ZipfStream(200000, 20000, seed);
    const auto exact = ExactCounts(stream);
    FrequentItems f = Make(100);
    for (const std::string& s : stream) f.Update(s);
    ExpectBoundsHold(f, exact);
    // The top 10 true items are the top 10 reported.
    std::vector<std::pair<uint64_t, std::string>> truth;
    for (const auto& [item, count] : exact) truth.emplace_back(count, item);
    std::sort(truth.rbegin(), truth.rend());
    const auto items = f.Items();
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(items[i].item, truth[i].second) << i;
  }
}

TEST(FrequentItemsTest, WeightedUpdates) {
  FrequentItems f = Make(3);
  std::map<std::string, uint64_t> exact;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 10000; ++i) {
    const std::string item = "w" + std::to_string(rng() % 20);
    const uint64_t w = 1 + rng() % 100;
    f.Update(item, w);
    exact[item] += w;
  }
  ExpectBoundsHold(f, exact);
}

TEST(FrequentItemsTest, MergeKeepsTheBounds) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    const auto stream = ZipfStream(100000, 5000, 10 + seed);
    const auto exact = ExactCounts(stream);
    std::vector<FrequentItems> parts(7, Make(50));
    for (size_t i = 0; i < stream.size(); ++i)
      parts[(i / 997 + seed) % parts.size()].Update(stream[i]);
    FrequentItems merged = Make(50);
    for (const FrequentItems& p : parts) merged.Merge(p);
    ExpectBoundsHold(merged, exact);
    // Merging in a tree gives a (possibly different but) equally valid summary.
    FrequentItems left = parts[0];
    for (size_t i = 1; i < 4; ++i) left.Merge(parts[i]);
    FrequentItems right = parts[4];
    for (size_t i = 5; i < parts.size(); ++i) right.Merge(parts[i]);
    left.Merge(right);
    ExpectBoundsHold(left, exact);
    testing::ExpectRoundTrip(merged);
    testing::ExpectRoundTrip(left);
    // Updates after a merge keep the guarantees.
    auto more = ZipfStream(30000, 5000, 99 + seed);
    auto all = exact;
    for (const std::string& s : more) {
      left.Update(s);
      ++all[s];
    }
    ExpectBoundsHold(left, all);
    testing::ExpectRoundTrip(left);
  }
}

TEST(FrequentItemsTest, MergeSmallAndSelfAndDifferentCapacity) {
  FrequentItems a = Make(10);
  a.Update("x", 3);
  a.Update("y", 1);
  FrequentItems b = Make(10);
  b.Update("y", 2);
  b.Update("z", 5);
  a.Merge(b);
  EXPECT_EQ(a.Items(),
            (std::vector<FrequentItems::Row>{{"z", 5, 5, 5}, {"x", 3, 3, 3}, {"y", 3, 3, 3}}));
  a.Merge(a);
  EXPECT_EQ(a.n(), 22u);
  EXPECT_EQ(a.UpperBound("z"), 10u);
  a.Merge(Make(10));
  EXPECT_EQ(a.n(), 22u);

  // Different capacities: the result takes the smaller one.
  const auto stream = ZipfStream(20000, 3000, 3);
  FrequentItems big = Make(200);
  FrequentItems small = Make(20);
  for (size_t i = 0; i < stream.size(); ++i) (i % 2 ? big : small).Update(stream[i]);
  big.Merge(small);
  EXPECT_EQ(big.capacity(), 20u);
  EXPECT_LE(big.num_items(), 20u);
  ExpectBoundsHold(big, ExactCounts(stream));
  testing::ExpectRoundTrip(big);
}

TEST(FrequentItemsTest, Deterministic) {
  const auto stream = ZipfStream(20000, 3000, 4);
  FrequentItems a = Make(30);
  FrequentItems b = Make(30);
  for (const std::string& s : stream) {
    a.Update(s);
    b.Update(s);
  }
  EXPECT_EQ(a.Serialize(), b.Serialize());
  testing::ExpectRoundTrip(a);
  // Continuing after a round trip matches continuing the original.
  FrequentItems restored = *FrequentItems::Deserialize(a.Serialize());
  for (const std::string& s : ZipfStream(5000, 3000, 5)) {
    a.Update(s);
    restored.Update(s);
  }
  EXPECT_EQ(a.Serialize(), restored.Serialize());
}

TEST(FrequentItemsTest, ArbitraryBytesAsItems) {
  FrequentItems f = Make(4);
  f.Update(std::string("\0\xFF", 2), 2);
  f.Update("");
  testing::ExpectRoundTrip(f);
  EXPECT_EQ(f.UpperBound(std::string("\0\xFF", 2)), 2u);
  EXPECT_EQ(f.UpperBound(""), 1u);
}

TEST(FrequentItemsTest, RejectsDamagedBytes) {
  FrequentItems f = Make(8);
  for (const std::string& s : ZipfStream(500, 40, 6)) f.Update(s);
  const std::string bytes = f.Serialize();
  testing::ExpectRejectsTruncationAndTrailing<FrequentItems>(bytes);
  testing::ExpectRejectsByteCorruption<FrequentItems>(bytes);
}

TEST(FrequentItemsTest, RejectsForeignFamily) {
  const auto r = FrequentItems::Deserialize(WriteFrame(FormatFamily::kCategoryCounts, 1, ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "frequent items sketch: expected a frequent items sketch, found family 4 (category "
            "counts)");
}

std::string Payload(uint64_t capacity, uint64_t n, uint64_t offset,
                    const std::vector<std::tuple<std::string, uint64_t, uint64_t>>& items,
                    uint64_t claimed_items = UINT64_MAX) {
  ByteWriter w;
  w.PutVarint(capacity);
  w.PutVarint(n);
  w.PutVarint(offset);
  w.PutVarint(claimed_items == UINT64_MAX ? items.size() : claimed_items);
  for (const auto& [item, count, error] : items) {
    w.PutString(item);
    w.PutVarint(count);
    w.PutVarint(error);
  }
  return w.Release();
}

TEST(FrequentItemsTest, RejectsInconsistentPayloads) {
  const auto reject = [](const std::string& payload, std::string_view message) {
    testing::ExpectPayloadRejected<FrequentItems>(FormatFamily::kFrequentItems, payload, message);
  };
  ASSERT_TRUE(FrequentItems::Deserialize(WriteFrame(FormatFamily::kFrequentItems, 1,
                                                    Payload(2, 5, 0, {{"a", 2, 0}, {"b", 3, 0}})))
                  .ok());
  reject(Payload(1, 0, 0, {}), "capacity 1 is outside");
  reject(Payload(2, 5, 6, {}), "offset exceeds the total weight");
  reject(Payload(2, 5, 0, {{"a", 1, 0}, {"b", 1, 0}, {"c", 1, 0}}), "more than the maximum 2");
  reject(Payload(2, 5, 0, {{"a", 6, 0}}), "inconsistent count and error");
  reject(Payload(2, 5, 0, {{"a", 2, 3}}), "inconsistent count and error");
  reject(Payload(2, 5, 0, {{"a", 0, 0}}), "inconsistent count and error");
  reject(Payload(3, 9, 2, {{"a", 1, 0}}), "inconsistent count and error");  // below the offset
  reject(Payload(2, 5, 0, {{"a", 3, 0}, {"b", 2, 0}}), "not in heap order");
  reject(Payload(2, 5, 0, {{"a", 2, 0}, {"a", 3, 0}}), "appears twice");
  reject(Payload(2, 4, 0, {{"a", 2, 0}, {"b", 3, 0}}), "lower bounds add up to more");
  // Full: the minimum counter (3) * capacity (2) exceeds n = 5.
  reject(Payload(2, 5, 0, {{"a", 3, 2}, {"b", 3, 2}}), "maximum error exceeds");
  reject(Payload(2, 5, 0, {{"a", 1, 0}, {"b", 5, 4}}), "error exceeds the maximum error");
  reject(Payload(4, 8, 2, {{"a", 5, 2}, {"b", 5, 2}}), "add up to more than");
  reject(Payload(2, 5, 0, {}, uint64_t{1} << 40), "more than the maximum 2");
  reject(Payload(1000, 5, 0, {}, 900), "bytes remain");
  reject(Payload(2, 5, 0, {{"a", 2, 0}}) + "x", "1 trailing bytes");
}

}  // namespace
}  // namespace modelwatch
