#include "modelwatch/core/dataset_profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace modelwatch {
namespace {

std::vector<std::string> Row(std::mt19937_64& rng, uint64_t i) {
  std::normal_distribution<double> normal(10.0, 2.0);
  static const char* kColors[] = {"red", "green", "blue"};
  return {std::to_string(normal(rng)), kColors[rng() % 3],
          (i % 7 == 0) ? "" : "1",     (i % 2) ? "true" : "FALSE",
          std::to_string(i % 4),       "2026-11-24T10:00:0" + std::to_string(i % 10) + "Z"};
}

DatasetProfile Build(uint64_t begin, uint64_t end, unsigned seed) {
  DatasetProfile::Options options;
  options.time_column = "ts";
  DatasetProfile p =
      *DatasetProfile::Create({"x", "color", "flag", "bool", "small", "ts"}, options);
  std::mt19937_64 rng(seed);
  for (uint64_t i = begin; i < end; ++i) {
    const std::vector<std::string> row = Row(rng, i);
    std::vector<std::string_view> fields(row.begin(), row.end());
    p.UpdateRow(fields, row[5]);
  }
  return p;
}

TEST(ColumnProfileTest, ClassifiesValues) {
  double x = 0;
  bool b = false;
  EXPECT_EQ(ClassifyValue("", &x, &b), ValueKind::kMissing);
  EXPECT_EQ(ClassifyValue("NaN", &x, &b), ValueKind::kMissing);
  EXPECT_EQ(ClassifyValue("N/A", &x, &b), ValueKind::kMissing);
  EXPECT_EQ(ClassifyValue("None", &x, &b), ValueKind::kMissing);
  EXPECT_EQ(ClassifyValue("-1.5e3", &x, &b), ValueKind::kNumber);
  EXPECT_EQ(x, -1500.0);
  EXPECT_EQ(ClassifyValue("TRUE", &x, &b), ValueKind::kBooleanLiteral);
  EXPECT_TRUE(b);
  EXPECT_EQ(ClassifyValue("inf", &x, &b), ValueKind::kText);
  EXPECT_EQ(ClassifyValue("DE", &x, &b), ValueKind::kText);
}

// Classify skips ParseDouble for texts whose first byte cannot start a number: that byte,
// followed by what a number may continue with, is never one.
TEST(ColumnProfileTest, MayStartNumberHoldsForEveryNumber) {
  const std::string tails[] = {"", "1", "5.25", ".5", "e3", "1e3", "nf", "an", "0x1p3"};
  for (int c = 0; c < 256; ++c) {
    const char first = static_cast<char>(c);
    if (MayStartNumber(first)) continue;
    for (const std::string& tail : tails) {
      const std::string text = std::string(1, first) + tail;
      double x = 0;
      EXPECT_FALSE(ParseDouble(text, &x)) << "byte " << c << " then '" << tail << "'";
    }
  }
  for (const char* number : {"0", "-1", "+2", ".5", "9e9"}) {
    EXPECT_TRUE(MayStartNumber(number[0])) << number;
    EXPECT_EQ(Classify(number).kind, ValueKind::kNumber) << number;
  }
  EXPECT_EQ(Classify("e5").kind, ValueKind::kText);
  EXPECT_EQ(Classify("nan").kind, ValueKind::kMissing);
  EXPECT_EQ(Classify("False").kind, ValueKind::kBooleanLiteral);
}

TEST(DatasetProfileTest, InfersTypesAndCounts) {
  const DatasetProfile p = Build(0, 2000, 1);
  EXPECT_EQ(p.rows(), 2000u);
  EXPECT_EQ(p.Find("x")->type(), ColumnType::kNumeric);
  EXPECT_EQ(p.Find("color")->type(), ColumnType::kCategorical);
  EXPECT_EQ(p.Find("flag")->type(), ColumnType::kBoolean);  // only 1s (and missing)
  EXPECT_EQ(p.Find("bool")->type(), ColumnType::kBoolean);
  EXPECT_EQ(p.Find("small")->type(), ColumnType::kNumeric);
  EXPECT_EQ(p.Find("ts")->type(), ColumnType::kCategorical);
  EXPECT_EQ(p.Find("flag")->missing(), 286u);  // i % 7 == 0 for i < 2000
  EXPECT_EQ(p.Find("flag")->count(), 1714u);
  EXPECT_EQ(p.Find("color")->DistinctCount(), 3.0);
  EXPECT_EQ(p.Find("small")->NumberCounts()->size(), 4u);
  EXPECT_FALSE(p.Find("x")->NumberCounts().has_value());  // 2000 distinct > 1000
  EXPECT_FALSE(p.Find("x")->distinct_is_exact());
  EXPECT_NEAR(p.Find("x")->DistinctCount(), 2000.0, 2000 * 0.05);
  EXPECT_NEAR(*p.Find("x")->mean(), 10.0, 0.2);
  EXPECT_NEAR(*p.Find("x")->variance(), 4.0, 0.5);
  EXPECT_NEAR(p.Find("x")->quantiles().Quantile(0.5), 10.0, 0.2);
  const auto counts = *p.Find("bool")->ExactValueCounts();
  EXPECT_EQ(counts.at("true"), 1000u);
  EXPECT_EQ(counts.at("false"), 1000u);
  EXPECT_EQ(*p.time_min(), 1795514400.0);
  EXPECT_EQ(*p.time_max(), 1795514409.0);
  EXPECT_EQ(p.rows_without_time(), 0u);
}

TEST(DatasetProfileTest, MergeOfPartsEqualsWholeWhereExact) {
  DatasetProfile whole = Build(0, 3000, 2);
  DatasetProfile a = Build(0, 1000, 2);
  // Same generator state is not reproducible across parts; compare what does not depend on it.
  DatasetProfile b = Build(1000, 3000, 3);
  ASSERT_TRUE(a.Merge(b).ok());
  EXPECT_EQ(a.rows(), whole.rows());
  for (const char* name : {"flag", "bool", "small", "ts"}) {
    EXPECT_EQ(a.Find(name)->ExactValueCounts(), whole.Find(name)->ExactValueCounts()) << name;
    EXPECT_EQ(a.Find(name)->missing(), whole.Find(name)->missing()) << name;
  }
  EXPECT_EQ(a.Find("x")->count(), 3000u);
  EXPECT_EQ(a.Find("x")->quantiles().n(), 3000u);
  EXPECT_EQ(*a.time_min(), *whole.time_min());
}

TEST(DatasetProfileTest, SerializationRoundTrips) {
  const DatasetProfile p = Build(0, 5000, 4);
  const std::string bytes = p.Serialize();
  Result<DatasetProfile> back = DatasetProfile::Deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Serialize(), bytes);
  EXPECT_EQ(back->rows(), 5000u);
  EXPECT_EQ(back->Find("color")->ExactValueCounts(), p.Find("color")->ExactValueCounts());
  EXPECT_EQ(back->Find("x")->quantiles().Quantile(0.9), p.Find("x")->quantiles().Quantile(0.9));
}

TEST(DatasetProfileTest, RejectsTruncatedCorruptAndForeignBytes) {
  const std::string bytes = Build(0, 300, 5).Serialize();
  for (size_t n = 0; n < bytes.size(); n += 7) {
    Result<DatasetProfile> r = DatasetProfile::Deserialize(bytes.substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  for (size_t i = 0; i < bytes.size(); i += 13) {
    std::string corrupt = bytes;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x20);
    EXPECT_FALSE(DatasetProfile::Deserialize(corrupt).ok()) << i;
  }
  const std::string kll = KllSketch().Serialize();
  Result<DatasetProfile> foreign = DatasetProfile::Deserialize(kll);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("KLL"), std::string::npos)
      << foreign.status().message();
  EXPECT_FALSE(DatasetProfile::Deserialize("name,value\n1,2\n").ok());
}

// numpy.histogram semantics: bins [e0, e1), ..., [e(k-1), ek]; exact from kept value counts,
// within the sketch's rank error otherwise.
TEST(ColumnProfileTest, BinCountsExactAndEstimated) {
  ColumnProfile small = *ColumnProfile::Create("v", {});
  for (const char* v : {"0", "1", "1", "2", "3", "4", "9"}) small.Update(v);
  const std::vector<double> edges = {1, 2, 3, 4};
  EXPECT_EQ(small.BinCounts(edges), (std::vector<double>{2, 1, 2}));  // 0 and 9 outside
  ColumnProfile large = *ColumnProfile::Create("v", {});
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> exact(10, 0.0);
  for (int i = 0; i < 200000; ++i) {
    const double x = u(rng);
    large.Update(std::to_string(x));
    double parsed = 0;
    bool b = false;
    ClassifyValue(std::to_string(x), &parsed, &b);
    exact[std::min<size_t>(9, static_cast<size_t>(parsed * 10))] += 1;
  }
  ASSERT_FALSE(large.NumberCounts().has_value());
  std::vector<double> deciles;
  for (int i = 0; i <= 10; ++i) deciles.push_back(i / 10.0);
  const std::vector<double> estimated = large.BinCounts(deciles);
  const double bound = 2 * large.quantiles().RankErrorBound(true) * 200000;
  for (size_t b = 0; b < 10; ++b) EXPECT_NEAR(estimated[b], exact[b], bound) << b;
}

TEST(DatasetProfileTest, DuplicateColumnsAreRejected) {
  EXPECT_EQ(DatasetProfile::Create({"a", "b", "a"}, {}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

// The classified values handed out by UpdateRow are the ones the profile counted.
TEST(DatasetProfileTest, UpdateRowHandsOutClassifiedValues) {
  DatasetProfile p = *DatasetProfile::Create({"a", "b", "c", "d"}, {});
  const std::vector<std::string_view> fields = {"1.5", "TRUE", "na", "red"};
  std::vector<ClassifiedValue> classified(4);
  p.UpdateRow(fields, {}, classified);
  EXPECT_EQ(classified[0].kind, ValueKind::kNumber);
  EXPECT_EQ(classified[0].number, 1.5);
  EXPECT_EQ(classified[1].kind, ValueKind::kBooleanLiteral);
  EXPECT_TRUE(classified[1].boolean);
  EXPECT_EQ(classified[2].kind, ValueKind::kMissing);
  EXPECT_EQ(classified[3].kind, ValueKind::kText);
  EXPECT_EQ(classified[3].text, "red");
  EXPECT_EQ(p.Find("c")->missing(), 1u);
}

// Without the quantile sketch the profile keeps its exact parts, refuses to merge with a
// complete one, and its bytes are not accepted as a profile.
TEST(DatasetProfileTest, WithoutQuantileSketch) {
  DatasetProfile::Options options;
  options.column.quantile_sketch = false;
  DatasetProfile light = *DatasetProfile::Create({"x"}, options);
  DatasetProfile full = *DatasetProfile::Create({"x"}, {});
  for (int i = 0; i < 3000; ++i) {
    const std::string text = std::to_string(i % 97 * 0.5);
    const std::vector<std::string_view> fields = {text};
    light.UpdateRow(fields);
    full.UpdateRow(fields);
  }
  EXPECT_EQ(light.Find("x")->quantiles().n(), 0u);
  EXPECT_EQ(full.Find("x")->quantiles().n(), 3000u);
  EXPECT_EQ(light.Find("x")->mean(), full.Find("x")->mean());
  EXPECT_EQ(light.Find("x")->NumberCounts(), full.Find("x")->NumberCounts());
  EXPECT_FALSE(light.Merge(full).ok());
  EXPECT_FALSE(DatasetProfile::Deserialize(light.Serialize()).ok());
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

TEST(DatasetProfileTest, ClassifiedRowsEqualTextRows) {
  DatasetProfile from_text = *DatasetProfile::Create({"x", "c"}, {});
  DatasetProfile from_values = *DatasetProfile::Create({"x", "c"}, {});
  for (int i = 0; i < 200; ++i) {
    const std::string x = std::to_string(i * 0.5), c = i % 3 ? "red" : "blue";
    const std::vector<std::string_view> fields = {x, c};
    from_text.UpdateRow(fields);
    const std::vector<ClassifiedValue> values = {Classify(x), Classify(c)};
    from_values.UpdateClassifiedRow(values);
  }
  EXPECT_EQ(from_text.Serialize(), from_values.Serialize());
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

// A column profiled value by value (without the quantile sketch) and from its values at once
// (sorted numbers, text counts): what they keep exactly is equal, bit for bit.
void ExpectFromValuesEqualsUpdates(const std::vector<std::string>& texts, size_t max_exact = 1000) {
  ColumnProfile::Options options;
  options.quantile_sketch = false;
  options.max_exact_values = max_exact;
  ColumnProfile streamed = *ColumnProfile::Create("c", options);
  std::vector<double> numbers;
  std::map<std::string, uint64_t> others;
  uint64_t missing = 0;
  for (const std::string& text : texts) {
    const ClassifiedValue v = Classify(text);
    streamed.Update(v);
    switch (v.kind) {
      case ValueKind::kMissing:
        ++missing;
        break;
      case ValueKind::kNumber:
        numbers.push_back(v.number);
        break;
      case ValueKind::kBooleanLiteral:
        ++others[v.boolean ? "true" : "false"];
        break;
      case ValueKind::kText:
        ++others[text];
        break;
    }
  }
  std::sort(numbers.begin(), numbers.end());
  std::vector<std::pair<std::string_view, uint64_t>> other_counts(others.rbegin(), others.rend());
  Result<ColumnProfile> built =
      ColumnProfile::FromValues("c", options, numbers, other_counts, missing);
  ASSERT_TRUE(built.ok()) << built.status().message();
  EXPECT_EQ(built->name(), "c");
  EXPECT_EQ(built->type(), streamed.type());
  EXPECT_EQ(built->count(), streamed.count());
  EXPECT_EQ(built->missing(), streamed.missing());
  EXPECT_EQ(built->numbers(), streamed.numbers());
  EXPECT_EQ(built->boolean_literals(), streamed.boolean_literals());
  EXPECT_EQ(built->texts(), streamed.texts());
  EXPECT_EQ(built->min(), streamed.min());
  EXPECT_EQ(built->max(), streamed.max());
  EXPECT_EQ(built->NumberCounts(), streamed.NumberCounts());
  EXPECT_EQ(built->ExactValueCounts(), streamed.ExactValueCounts());
  EXPECT_EQ(built->distinct_is_exact(), streamed.distinct_is_exact());
  if (streamed.distinct_is_exact()) {
    EXPECT_EQ(built->DistinctCount(), streamed.DistinctCount());
  } else {  // the numbers counted exactly where Update estimates them
    std::set<double> distinct_numbers;
    for (double x : numbers) distinct_numbers.insert(x + 0.0);
    const double distinct_values = static_cast<double>(distinct_numbers.size() + others.size());
    EXPECT_EQ(built->DistinctCount(), distinct_values);
    EXPECT_NEAR(streamed.DistinctCount(), distinct_values, 0.05 * distinct_values);
  }
  EXPECT_EQ(built->categories(), streamed.categories());
  ASSERT_EQ(built->mean().has_value(), streamed.mean().has_value());
  if (streamed.mean()) {
    EXPECT_NEAR(*built->mean(), *streamed.mean(), 1e-12 * (1 + std::fabs(*streamed.mean())));
    EXPECT_NEAR(*built->variance(), *streamed.variance(), 1e-9 * (1 + *streamed.variance()));
  }
}

TEST(ColumnProfileTest, FromValuesEqualsUpdates) {
  std::mt19937_64 rng(12);
  std::normal_distribution<double> normal(3.0, 2.0);
  std::vector<std::string> continuous, discrete, zero_one, mixed, texts, signed_zeros;
  for (int i = 0; i < 5000; ++i) {
    continuous.push_back(std::to_string(normal(rng)));
    discrete.push_back(i % 11 == 0 ? "" : std::to_string(rng() % 40));
    zero_one.push_back(i % 3 ? "1" : "0.0");
    mixed.push_back(i % 5 == 0 ? "n/a" : i % 4 == 0 ? "TRUE" : i % 7 == 0 ? "x" : "2.5");
    texts.push_back(std::string("sku_") + std::to_string(rng() % 300));
    signed_zeros.push_back(i % 2 ? "-0" : i % 3 ? "0" : "1e-300");
  }
  ExpectFromValuesEqualsUpdates(continuous);  // past max_exact: exact vs the estimate
  ExpectFromValuesEqualsUpdates(discrete);
  ExpectFromValuesEqualsUpdates(zero_one);
  ExpectFromValuesEqualsUpdates(mixed);
  ExpectFromValuesEqualsUpdates(texts);
  ExpectFromValuesEqualsUpdates(signed_zeros);
  ExpectFromValuesEqualsUpdates(discrete, 40);  // exactly at the limit
  ExpectFromValuesEqualsUpdates(discrete, 39);  // one past it
  ExpectFromValuesEqualsUpdates({});
  ExpectFromValuesEqualsUpdates({"", "NA", "null"});
}

TEST(ColumnProfileTest, FromValuesNeedsNoQuantileSketch) {
  const std::vector<double> numbers = {1.0, 2.0};
  EXPECT_EQ(ColumnProfile::FromValues("c", {}, numbers, {}, 0).status().code(),
            StatusCode::kInvalidArgument);
  ColumnProfile::Options bad;
  bad.quantile_sketch = false;
  bad.max_exact_values = 0;
  EXPECT_EQ(ColumnProfile::FromValues("c", bad, numbers, {}, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ColumnProfileTest, FromValuesCannotBeMerged) {
  ColumnProfile::Options options;
  options.quantile_sketch = false;
  const std::vector<double> numbers = {1.0, 2.0};
  ColumnProfile built = *ColumnProfile::FromValues("c", options, numbers, {}, 0);
  ColumnProfile streamed = *ColumnProfile::Create("c", options);
  streamed.Update("3");
  EXPECT_EQ(streamed.Merge(built).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(built.Merge(streamed).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(built.numbers(), 2u);  // left as it was
  EXPECT_EQ(streamed.numbers(), 1u);
  const std::vector<std::pair<std::string_view, uint64_t>> texts = {{"a", 1}};
  ColumnProfile only_texts = *ColumnProfile::FromValues("c", options, {}, texts, 0);
  EXPECT_EQ(streamed.Merge(only_texts).code(), StatusCode::kInvalidArgument);
}

// A profile without its quantile sketch (Options::quantile_sketch = false, as FromValues needs)
// is not a complete one: what it serializes to is refused when read back, not taken for one.
TEST(ColumnProfileTest, WithoutQuantileSketchIsNotReadBack) {
  ColumnProfile::Options options;
  options.quantile_sketch = false;
  const std::vector<double> numbers = {1.0, 2.0, 2.0};
  std::vector<ColumnProfile> columns;
  columns.push_back(*ColumnProfile::FromValues("c", options, numbers, {}, 0));
  const DatasetProfile built = *DatasetProfile::FromColumns(std::move(columns), 3);
  const Result<DatasetProfile> read = DatasetProfile::Deserialize(built.Serialize());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(read.status().message().find("column 'c'"), std::string::npos)
      << read.status().message();
}

TEST(DatasetProfileTest, FromColumns) {
  ColumnProfile::Options options;
  options.quantile_sketch = false;
  const std::vector<double> x = {1.0, 2.0, 3.0};
  const std::vector<std::pair<std::string_view, uint64_t>> c = {{"a", 2}};
  auto column = [&](const std::string& name, uint64_t missing) {
    return *ColumnProfile::FromValues(name, options, x, {}, missing);
  };
  Result<DatasetProfile> p = DatasetProfile::FromColumns(
      {column("x", 0), *ColumnProfile::FromValues("c", options, {}, c, 1)}, 3);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->rows(), 3u);
  ASSERT_EQ(p->columns().size(), 2u);
  EXPECT_EQ(p->Find("c")->texts(), 2u);
  EXPECT_TRUE(p->time_column().empty());
  EXPECT_EQ(DatasetProfile::FromColumns({column("x", 0), column("x", 0)}, 3).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DatasetProfile::FromColumns({column("x", 1)}, 3).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(DatasetProfile::FromColumns({}, 0).ok());
}

}  // namespace
}  // namespace modelwatch
