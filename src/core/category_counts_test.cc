#include "modelwatch/core/category_counts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "internal/sketch_test_util.h"
#include "modelwatch/core/byte_codec.h"

namespace modelwatch {
namespace {

using ::testing::HasSubstr;

CategoryCounts Make(size_t max_exact, size_t capacity = 100, int precision = 12) {
  CategoryCounts::Options options;
  options.max_exact = max_exact;
  options.sketch_capacity = capacity;
  options.hll_precision = precision;
  auto c = CategoryCounts::Create(options);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

TEST(CategoryCountsTest, ValidatesOptions) {
  CategoryCounts::Options o;
  o.max_exact = 0;
  EXPECT_EQ(CategoryCounts::Create(o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.sketch_capacity = 1;
  EXPECT_EQ(CategoryCounts::Create(o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.hll_precision = 30;
  EXPECT_EQ(CategoryCounts::Create(o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CategoryCounts().options().max_exact, 1000u);
}

TEST(CategoryCountsTest, ExactUpToTheLimit) {
  CategoryCounts c = Make(3);
  EXPECT_TRUE(c.is_exact());
  EXPECT_EQ(c.DistinctCount(), 0.0);
  testing::ExpectRoundTrip(c);
  c.Update("b", 2);
  c.Update("a");
  c.Update("c");
  c.Update("a");
  c.Update("zero", 0);
  EXPECT_TRUE(c.is_exact());
  EXPECT_EQ(c.total(), 5u);
  EXPECT_EQ(c.DistinctCount(), 3.0);
  EXPECT_EQ(c.MaximumError(), 0u);
  EXPECT_EQ(c.Items(),
            (std::vector<CategoryCounts::Row>{{"a", 2, 2, 2}, {"b", 2, 2, 2}, {"c", 1, 1, 1}}));
  EXPECT_EQ(c.Count("b"), (CategoryCounts::Row{"b", 2, 2, 2}));
  EXPECT_EQ(c.Count("nope"), (CategoryCounts::Row{"nope", 0, 0, 0}));
  EXPECT_EQ(c.frequent_items(), nullptr);
  testing::ExpectRoundTrip(c);
}

TEST(CategoryCountsTest, SwitchesToSketchPastTheLimit) {
  CategoryCounts c = Make(50, 40);
  std::map<std::string, uint64_t> exact;
  for (int i = 0; i < 20000; ++i) {
    const std::string v = "v" + std::to_string((i * i) % 997);
    c.Update(v);
    ++exact[v];
  }
  EXPECT_FALSE(c.is_exact());
  ASSERT_NE(c.frequent_items(), nullptr);
  EXPECT_EQ(c.total(), 20000u);
  EXPECT_NEAR(c.DistinctCount(), static_cast<double>(exact.size()),
              3 * HyperLogLog::StandardError(12) * static_cast<double>(exact.size()));
  EXPECT_LE(c.MaximumError(), c.total() / 40);
  for (const auto& [v, count] : exact) {
    const CategoryCounts::Row row = c.Count(v);
    EXPECT_LE(row.lower_bound, count) << v;
    EXPECT_GE(row.upper_bound, count) << v;
  }
  testing::ExpectRoundTrip(c);
}

TEST(CategoryCountsTest, SwitchKeepsCountsExactWhenTheyFit) {
  CategoryCounts c = Make(2, 10);
  c.Update("a", 5);
  c.Update("b", 3);
  c.Update("c");  // the third category switches; all three fit in 10 counters
  EXPECT_FALSE(c.is_exact());
  EXPECT_EQ(c.Count("a"), (CategoryCounts::Row{"a", 5, 5, 5}));
  EXPECT_EQ(c.Count("c"), (CategoryCounts::Row{"c", 1, 1, 1}));
  EXPECT_EQ(c.MaximumError(), 0u);
  EXPECT_NEAR(c.DistinctCount(), 3.0, 0.05);
}

TEST(CategoryCountsTest, MergeExactStaysExactOrSwitches) {
  CategoryCounts a = Make(4);
  a.Update("x", 2);
  a.Update("y");
  CategoryCounts b = Make(4);
  b.Update("y", 3);
  b.Update("z");
  ASSERT_TRUE(a.Merge(b).ok());
  EXPECT_TRUE(a.is_exact());
  EXPECT_EQ(a.total(), 7u);
  EXPECT_EQ(a.Count("y").estimate, 4u);
  ASSERT_TRUE(a.Merge(a).ok());
  EXPECT_EQ(a.total(), 14u);
  EXPECT_EQ(a.Count("y").estimate, 8u);

  CategoryCounts c = Make(4);
  c.Update("p");
  c.Update("q");
  ASSERT_TRUE(a.Merge(c).ok());  // 5 categories > 4: switches
  EXPECT_FALSE(a.is_exact());
  EXPECT_EQ(a.total(), 16u);
  EXPECT_EQ(a.Count("y").lower_bound, 8u);
  EXPECT_EQ(a.Count("p").upper_bound, 1u);
  testing::ExpectRoundTrip(a);
}

TEST(CategoryCountsTest, MergeMixedModes) {
  std::map<std::string, uint64_t> exact;
  CategoryCounts sketch = Make(10, 20);
  for (int i = 0; i < 5000; ++i) {
    const std::string v = "s" + std::to_string(i % 300);
    sketch.Update(v);
    ++exact[v];
  }
  CategoryCounts small = Make(10, 20);
  small.Update("s1", 40);
  small.Update("new", 7);
  exact["s1"] += 40;
  exact["new"] += 7;

  CategoryCounts a = sketch;
  ASSERT_TRUE(a.Merge(small).ok());
  CategoryCounts b = small;
  ASSERT_TRUE(b.Merge(sketch).ok());
  for (const CategoryCounts* c : {&a, &b}) {
    EXPECT_FALSE(c->is_exact());
    EXPECT_EQ(c->total(), 5047u);
    EXPECT_LE(c->MaximumError(), c->total() / 20);
    for (const auto& [v, count] : exact) {
      EXPECT_LE(c->Count(v).lower_bound, count) << v;
      EXPECT_GE(c->Count(v).upper_bound, count) << v;
    }
    EXPECT_NEAR(c->DistinctCount(), 301, 301 * 3 * HyperLogLog::StandardError(12));
    testing::ExpectRoundTrip(*c);
  }

  CategoryCounts other_precision = Make(10, 20, 14);
  for (int i = 0; i < 100; ++i) other_precision.Update(std::to_string(i));
  const CategoryCounts before = a;
  const Status s = a.Merge(other_precision);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("precision 14"));
  EXPECT_TRUE(a == before);
}

TEST(CategoryCountsTest, Deterministic) {
  CategoryCounts a = Make(30, 20);
  CategoryCounts b = Make(30, 20);
  for (int i = 0; i < 3000; ++i) {
    const std::string v = std::to_string((i * 31) % 101);
    a.Update(v);
    b.Update(v);
  }
  EXPECT_EQ(a.Serialize(), b.Serialize());
  testing::ExpectRoundTrip(a);
}

TEST(CategoryCountsTest, RejectsDamagedBytes) {
  CategoryCounts exact = Make(10);
  for (const char* v : {"red", "green", "blue", "red"}) exact.Update(v);
  testing::ExpectRejectsTruncationAndTrailing<CategoryCounts>(exact.Serialize());
  testing::ExpectRejectsByteCorruption<CategoryCounts>(exact.Serialize());
  CategoryCounts sketch = Make(3, 4, 4);
  for (int i = 0; i < 50; ++i) sketch.Update(std::to_string(i % 9));
  ASSERT_FALSE(sketch.is_exact());
  testing::ExpectRejectsTruncationAndTrailing<CategoryCounts>(sketch.Serialize());
  testing::ExpectRejectsByteCorruption<CategoryCounts>(sketch.Serialize());
  const auto foreign = CategoryCounts::Deserialize(WriteFrame(FormatFamily::kKll, 1, ""));
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().message(),
            "category counts: expected a category counts sketch, found family 1 (KLL)");
}

std::string Header(uint64_t max_exact, uint64_t capacity, uint8_t precision, uint8_t mode,
                   uint64_t total) {
  ByteWriter w;
  w.PutVarint(max_exact);
  w.PutVarint(capacity);
  w.PutU8(precision);
  w.PutU8(mode);
  w.PutVarint(total);
  return w.Release();
}

std::string Exact(const std::vector<std::pair<std::string, uint64_t>>& entries) {
  ByteWriter w;
  w.PutVarint(entries.size());
  for (const auto& [category, count] : entries) {
    w.PutString(category);
    w.PutVarint(count);
  }
  return w.Release();
}

std::string Blob(const std::string& bytes) {
  ByteWriter w;
  w.PutString(bytes);
  return w.Release();
}

TEST(CategoryCountsTest, RejectsInconsistentPayloads) {
  const auto reject = [](const std::string& payload, std::string_view message) {
    testing::ExpectPayloadRejected<CategoryCounts>(FormatFamily::kCategoryCounts, payload, message);
  };
  ASSERT_TRUE(
      CategoryCounts::Deserialize(WriteFrame(FormatFamily::kCategoryCounts, 1,
                                             Header(3, 10, 12, 0, 3) + Exact({{"a", 1}, {"b", 2}})))
          .ok());
  reject(Header(0, 10, 12, 0, 0) + Exact({}), "max_exact must be in");
  reject(Header(3, 1, 12, 0, 0) + Exact({}), "capacity must be in");
  reject(Header(3, 10, 40, 0, 0) + Exact({}), "precision must be in");
  reject(Header(3, 10, 12, 7, 0), "unknown mode 7");
  reject(Header(3, 10, 12, 0, 3) + Exact({{"b", 1}, {"a", 2}}), "strictly ascending");
  reject(Header(3, 10, 12, 0, 3) + Exact({{"a", 1}, {"a", 2}}), "strictly ascending");
  reject(Header(3, 10, 12, 0, 3) + Exact({{"a", 1}, {"b", 1}}), "add up to 2, not the total 3");
  reject(Header(3, 10, 12, 0, 1) + Exact({{"a", 1}, {"b", 1}}), "do not add up");
  reject(Header(3, 10, 12, 0, 1) + Exact({{"a", 0}}), "do not add up");
  reject(Header(1, 10, 12, 0, 2) + Exact({{"a", 1}, {"b", 1}}), "more than the maximum 1");

  FrequentItems items = *FrequentItems::Create(10);
  items.Update("a", 5);
  HyperLogLog hll;
  hll.Update("a");
  reject(Header(3, 10, 12, 1, 4) + Blob(items.Serialize()) + Blob(hll.Serialize()),
         "disagrees with the capacity or total");
  reject(Header(3, 10, 14, 1, 5) + Blob(items.Serialize()) + Blob(hll.Serialize()),
         "disagrees with the precision");
  reject(Header(3, 10, 12, 1, 5) + Blob(hll.Serialize()) + Blob(hll.Serialize()),
         "category counts: in the sketch at byte 21: frequent items sketch: expected a frequent "
         "items sketch");
  std::string damaged = items.Serialize();
  damaged[20] ^= 1;
  reject(Header(3, 10, 12, 1, 5) + Blob(damaged) + Blob(hll.Serialize()), "checksum mismatch");
  ASSERT_TRUE(
      CategoryCounts::Deserialize(
          WriteFrame(FormatFamily::kCategoryCounts, 1,
                     Header(3, 10, 12, 1, 5) + Blob(items.Serialize()) + Blob(hll.Serialize())))
          .ok());
}

}  // namespace
}  // namespace modelwatch
