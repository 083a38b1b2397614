#include "modelwatch/core/drift.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "modelwatch/core/kolmogorov_smirnov.h"
#include "modelwatch/core/multiple_testing.h"

namespace modelwatch {
namespace {

// One column's data on one side: its profile and raw values.
struct Side {
  ColumnProfile profile = *ColumnProfile::Create("c", {});
  RawColumn raw;
  void Add(const std::string& text) {
    profile.Update(text);
    raw.Add(text);
  }
  ColumnSide Raw() const { return {&profile, &raw}; }
  ColumnSide ProfileOnly() const { return {&profile, nullptr}; }
};

Side Normal(size_t n, double mean, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(mean, 1.0);
  Side s;
  for (size_t i = 0; i < n; ++i) s.Add(std::to_string(d(rng)));
  return s;
}

Side Categories(size_t n, const std::vector<std::string>& values, const std::vector<double>& p,
                unsigned seed) {
  std::mt19937_64 rng(seed);
  std::discrete_distribution<size_t> d(p.begin(), p.end());
  Side s;
  for (size_t i = 0; i < n; ++i) s.Add(values[d(rng)]);
  return s;
}

ColumnDrift RunTest(const Side& a, const Side& b, DriftMethod method = DriftMethod::kAuto,
                    bool raw = true) {
  ColumnDriftOptions column;
  column.method = method;
  Result<ColumnDrift> r = ColumnDriftTest("c", raw ? a.Raw() : a.ProfileOnly(),
                                          raw ? b.Raw() : b.ProfileOnly(), column, {});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ColumnDrift{};
}

TEST(DriftTest, DefaultMethodFollowsTypeAndReferenceSize) {
  EXPECT_EQ(RunTest(Normal(800, 0, 1), Normal(800, 0, 2)).method, DriftMethod::kKs);
  EXPECT_EQ(RunTest(Normal(5000, 0, 1), Normal(800, 0, 2)).method, DriftMethod::kWasserstein);
  const std::vector<std::string> abc = {"a", "b", "c"};
  EXPECT_EQ(RunTest(Categories(800, abc, {1, 1, 1}, 1), Categories(800, abc, {1, 1, 1}, 2)).method,
            DriftMethod::kChiSquare);
  EXPECT_EQ(RunTest(Categories(5000, abc, {1, 1, 1}, 1), Categories(800, abc, {1, 1, 1}, 2)).method,
            DriftMethod::kJensenShannon);
  const std::vector<std::string> tf = {"true", "false"};
  const ColumnDrift z = RunTest(Categories(800, tf, {1, 3}, 1), Categories(800, tf, {1, 3}, 2));
  EXPECT_EQ(z.method, DriftMethod::kZ);
  EXPECT_EQ(z.type, ColumnType::kBoolean);
  // Numbers with few distinct values are tested as categories.
  const std::vector<std::string> small = {"1", "2", "3", "4"};
  EXPECT_EQ(
      RunTest(Categories(800, small, {1, 1, 1, 1}, 1), Categories(800, small, {1, 1, 1, 1}, 2))
          .method,
      DriftMethod::kChiSquare);
}

TEST(DriftTest, ExactKsEqualsTheTestItself) {
  const Side a = Normal(700, 0, 3), b = Normal(600, 0.3, 4);
  const ColumnDrift d = RunTest(a, b);
  const KsTestResult r = *KolmogorovSmirnovTest(a.raw.numbers, b.raw.numbers);
  EXPECT_EQ(d.statistic, r.statistic);
  EXPECT_EQ(d.p_value, r.p_value);
  EXPECT_TRUE(d.drift);  // a 0.3 sd shift at n = 600-700: p << 0.05
  EXPECT_TRUE(d.exact);
  EXPECT_GT(*d.effect_size, 0.2);
}

TEST(DriftTest, ProfilesApproximateTheExactStatistic) {
  const Side a = Normal(50000, 0, 5), b = Normal(40000, 0.05, 6);
  const ColumnDrift exact = RunTest(a, b, DriftMethod::kKs, true);
  const ColumnDrift approx = RunTest(a, b, DriftMethod::kKs, false);
  EXPECT_FALSE(approx.exact);
  ASSERT_TRUE(approx.error_bound.has_value());
  EXPECT_LE(std::abs(approx.statistic - exact.statistic), *approx.error_bound);
  EXPECT_LE(std::abs(approx.statistic - exact.statistic), 0.01);
  const ColumnDrift w_exact = RunTest(a, b, DriftMethod::kWasserstein, true);
  const ColumnDrift w_approx = RunTest(a, b, DriftMethod::kWasserstein, false);
  EXPECT_NEAR(w_approx.statistic, w_exact.statistic, 0.01);
}

TEST(DriftTest, ForcedNumericMethodFallsBackOnCategoricalColumns) {
  const std::vector<std::string> abc = {"a", "b", "c"};
  const ColumnDrift d = RunTest(Categories(800, abc, {1, 1, 1}, 1),
                                Categories(800, abc, {1, 1, 1}, 2), DriftMethod::kKs);
  EXPECT_EQ(d.method, DriftMethod::kChiSquare);
  ASSERT_EQ(d.notes.size(), 1u);
}

TEST(DriftTest, CramerVonMisesNeedsRawData) {
  const Side a = Normal(100, 0, 1), b = Normal(100, 0, 2);
  ColumnDriftOptions column;
  column.method = DriftMethod::kCramerVonMises;
  EXPECT_EQ(ColumnDriftTest("c", a.ProfileOnly(), b.ProfileOnly(), column, {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(ColumnDriftTest("c", a.Raw(), b.Raw(), column, {}).ok());
}

TEST(DriftTest, CorrectionAdjustsPValuesAndTheVerdict) {
  std::vector<Side> ref, cur;
  std::vector<std::string> names;
  for (unsigned i = 0; i < 6; ++i) {
    ref.push_back(Normal(300, 0, 10 + i));
    cur.push_back(Normal(300, i == 0 ? 0.4 : 0.0, 20 + i));
    names.push_back("c");  // names only label the output
  }
  std::vector<ColumnSide> rs, cs;
  for (size_t i = 0; i < ref.size(); ++i) {
    rs.push_back(ref[i].Raw());
    cs.push_back(cur[i].Raw());
  }
  DriftOptions options;
  const DriftReport plain = *DatasetDrift(names, rs, cs, 300, 300, options);
  options.correction = PValueCorrection::kBonferroni;
  const DriftReport bonf = *DatasetDrift(names, rs, cs, 300, 300, options);
  std::vector<double> raw;
  for (const ColumnDrift& c : plain.columns) raw.push_back(*c.p_value);
  const std::vector<double> adjusted = *BonferroniAdjust(raw);
  for (size_t i = 0; i < raw.size(); ++i) {
    EXPECT_EQ(bonf.columns[i].p_value, adjusted[i]);
    EXPECT_EQ(bonf.columns[i].raw_p_value, raw[i]);
    EXPECT_EQ(bonf.columns[i].drift, adjusted[i] < 0.05);
  }
  EXPECT_TRUE(bonf.columns[0].drift);
  EXPECT_EQ(bonf.n_columns, 6u);
  EXPECT_EQ(bonf.dataset_drift, bonf.drift_share >= 0.5);
}

TEST(DriftTest, AllMissingColumnIsAnError) {
  Side a = Normal(10, 0, 1);
  Side b;
  b.Add("");
  const Result<ColumnDrift> r = ColumnDriftTest("c", a.Raw(), b.Raw(), {}, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("current"), std::string::npos);
}

TEST(DriftTest, MethodNamesRoundTrip) {
  for (const char* name :
       {"auto", "ks", "chi2", "z", "psi", "js", "wasserstein", "hellinger", "cvm"}) {
    EXPECT_EQ(DriftMethodName(*ParseDriftMethod(name)), name);
  }
  EXPECT_EQ(ParseDriftMethod("t-test").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

// Columns tested in chunks, in any order, give the report of the sequential run.
TEST(DriftTest, ParallelColumnsGiveTheSequentialReport) {
  std::vector<Side> ref, cur;
  std::vector<std::string> names;
  for (int c = 0; c < 7; ++c) {
    ref.push_back(Normal(400, 0.0, 10 + c));
    cur.push_back(Normal(300, 0.1 * c, 20 + c));
    names.push_back("c" + std::to_string(c));
  }
  std::vector<ColumnSide> rs, cs;
  for (int c = 0; c < 7; ++c) {
    rs.push_back(ref[c].Raw());
    cs.push_back(cur[c].Raw());
  }
  // Runs the chunks of 2 columns last-first, as threads might finish them.
  ParallelFor backwards = [](size_t n, const std::function<void(size_t, size_t)>& body) {
    for (size_t end = n; end > 0;) {
      const size_t begin = end >= 2 ? end - 2 : 0;
      body(begin, end);
      end = begin;
    }
  };
  Result<DriftReport> sequential = DatasetDrift(names, rs, cs, 400, 300, {});
  Result<DriftReport> parallel = DatasetDrift(names, rs, cs, 400, 300, {}, backwards);
  ASSERT_TRUE(sequential.ok() && parallel.ok());
  ASSERT_EQ(parallel->columns.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(parallel->columns[i].name, names[i]);
    EXPECT_EQ(parallel->columns[i].statistic, sequential->columns[i].statistic);
    EXPECT_EQ(parallel->columns[i].p_value, sequential->columns[i].p_value);
  }
  EXPECT_EQ(parallel->n_drifted, sequential->n_drifted);
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

// Every distinct text once, in first-seen order, with its count: short texts (identified by
// their bytes), long ones that share their first and last 8 bytes, the empty text, and enough
// of them to grow the table several times.
TEST(TextCountsTest, CountsEachDistinctTextInFirstSeenOrder) {
  TextCounts counts;
  std::map<std::string, uint64_t> want;
  std::vector<std::string> order;
  std::mt19937_64 rng(6);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t r = rng() % 700;
    std::string text = r % 3 == 0   ? std::to_string(r)
                       : r % 3 == 1 ? "prefix-long-" + std::to_string(r) + "-same-suffix"
                                    : std::string(r % 17, static_cast<char>('a' + r % 5));
    if (!want.count(text)) order.push_back(text);
    const uint64_t n = 1 + rng() % 3;
    want[text] += n;
    counts.Add(text, n);
  }
  ASSERT_EQ(counts.size(), want.size());
  size_t i = 0;
  for (const auto& [text, n] : counts) {
    EXPECT_EQ(text, order[i++]);
    EXPECT_EQ(n, want[text]) << text;
  }
  TextCounts empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.begin(), empty.end());
}

TEST(RawColumnTest, KeepsNumbersCountsOthersAndMissing) {
  RawColumn raw;
  for (const char* text : {"1.5", "", "NA", "TRUE", "false", "x", "x", "-0", "null"}) {
    raw.Add(text);
  }
  EXPECT_EQ(raw.numbers, (std::vector<double>{1.5, -0.0}));
  EXPECT_EQ(raw.missing, 3u);
  std::map<std::string, uint64_t> others(raw.others.begin(), raw.others.end());
  EXPECT_EQ(others, (std::map<std::string, uint64_t>{{"true", 1}, {"false", 1}, {"x", 2}}));
}

}  // namespace
}  // namespace modelwatch
