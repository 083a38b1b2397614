// Tests of LoadDataset (src/io/dataset_input.cc): the raw values it keeps, and the two ways it
// builds the profile next to them (value by value, or from the raw values once read), which must
// give the same drift report.
#include "modelwatch/io/dataset_input.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <string>

namespace modelwatch::io {
namespace {

class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content)
      : path_(::testing::TempDir() + "mw_dataset_input_" + std::to_string(::getpid()) + "_" +
              name) {
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Numeric (continuous, more distinct values than the profile counts exactly; discrete; 0/1),
// categorical with missing values, booleans, a mixed column, signed zeros.
std::string Csv(unsigned seed, double shift, int rows) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(shift, 1.0);
  std::string csv = "x,n,flag,c,b,mixed,z\n";
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(normal(rng)) + "," + std::to_string(rng() % 30) + "," +
           (rng() % 2 ? "1" : "0") + "," + (i % 13 == 0 ? "" : "cat_" + std::to_string(rng() % 7)) +
           "," + (rng() % 3 ? "true" : "FALSE") + "," + (i % 5 ? "2.5" : "n/a") + "," +
           (i % 2 ? "-0.0" : "0") + "\n";
  }
  return csv;
}

Result<LoadedDataset> Load(const std::string& path, bool quantile_sketch) {
  DatasetRequest request;
  request.path = path;
  request.keep_raw = true;
  request.quantile_sketch = quantile_sketch;
  return LoadDataset(request, nullptr);
}

TEST(LoadDatasetTest, RawValuesAreSortedWithTheirCounts) {
  const TempFile file("raw.csv", "x,c\n3,a\n,b\n-1,a\nNA,\n2,true\n");
  Result<LoadedDataset> d = Load(file.path(), false);
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->raw.size(), 2u);
  EXPECT_EQ(d->raw[0].numbers, (std::vector<double>{-1, 2, 3}));
  EXPECT_EQ(d->raw[0].missing, 2u);
  std::map<std::string, uint64_t> c(d->raw[1].others.begin(), d->raw[1].others.end());
  EXPECT_EQ(c, (std::map<std::string, uint64_t>{{"a", 2}, {"b", 1}, {"true", 1}}));
  EXPECT_EQ(d->raw[1].missing, 1u);
  EXPECT_EQ(d->profile.rows(), 5u);
  EXPECT_EQ(d->profile.columns()[1].type(), ColumnType::kCategorical);
  EXPECT_EQ(d->profile.columns()[1].missing(), 1u);
  EXPECT_EQ(d->profile.columns()[0].missing(), 2u);
}

// The profile built from the raw values, and the one built value by value, give the same drift
// report, field for field, under every method.
TEST(LoadDatasetTest, ProfileFromRawValuesGivesTheSameDrift) {
  const TempFile ref("ref.csv", Csv(1, 0.0, 3000)), cur("cur.csv", Csv(2, 0.2, 2500));
  Result<LoadedDataset> ref_raw = Load(ref.path(), false), cur_raw = Load(cur.path(), false);
  Result<LoadedDataset> ref_full = Load(ref.path(), true), cur_full = Load(cur.path(), true);
  ASSERT_TRUE(ref_raw.ok() && cur_raw.ok() && ref_full.ok() && cur_full.ok());
  EXPECT_EQ(ref_raw->profile.rows(), ref_full->profile.rows());
  std::vector<std::string> names;
  std::vector<ColumnSide> a_ref, a_cur, b_ref, b_cur;
  for (size_t i = 0; i < ref_raw->profile.columns().size(); ++i) {
    names.push_back(ref_raw->profile.columns()[i].name());
    EXPECT_EQ(ref_raw->raw[i].numbers, ref_full->raw[i].numbers);
    EXPECT_TRUE(std::is_sorted(ref_raw->raw[i].numbers.begin(), ref_raw->raw[i].numbers.end()));
    a_ref.push_back({&ref_raw->profile.columns()[i], &ref_raw->raw[i]});
    a_cur.push_back({&cur_raw->profile.columns()[i], &cur_raw->raw[i]});
    b_ref.push_back({&ref_full->profile.columns()[i], &ref_full->raw[i]});
    b_cur.push_back({&cur_full->profile.columns()[i], &cur_full->raw[i]});
  }
  // The raw path hands the tests numpy's deviation (they skip their own passes, the other path
  // computes it): equal effect sizes below mean equal bits.
  ASSERT_TRUE(ref_raw->raw[0].sorted && ref_full->raw[0].sorted);
  ASSERT_TRUE(ref_raw->raw[0].population_std.has_value());
  EXPECT_FALSE(ref_full->raw[0].population_std.has_value());
  for (const char* method : {"auto", "ks", "chi2", "z", "psi", "js", "wasserstein", "cvm"}) {
    DriftOptions options;
    options.all.method = *ParseDriftMethod(method);
    Result<DriftReport> a = DatasetDrift(names, a_ref, a_cur, ref_raw->profile.rows(),
                                         cur_raw->profile.rows(), options);
    Result<DriftReport> b = DatasetDrift(names, b_ref, b_cur, ref_full->profile.rows(),
                                         cur_full->profile.rows(), options);
    ASSERT_EQ(a.ok(), b.ok()) << method;
    if (!a.ok()) {
      EXPECT_EQ(a.status().message(), b.status().message());
      continue;
    }
    ASSERT_EQ(a->columns.size(), b->columns.size());
    for (size_t i = 0; i < a->columns.size(); ++i) {
      const ColumnDrift& x = a->columns[i];
      const ColumnDrift& y = b->columns[i];
      const std::string where = std::string(method) + " " + x.name;
      EXPECT_EQ(x.type, y.type) << where;
      EXPECT_EQ(x.method, y.method) << where;
      EXPECT_EQ(x.statistic, y.statistic) << where;
      EXPECT_EQ(x.p_value, y.p_value) << where;
      EXPECT_EQ(x.effect_size, y.effect_size) << where;
      EXPECT_EQ(x.n_reference, y.n_reference) << where;
      EXPECT_EQ(x.missing_share_current, y.missing_share_current) << where;
      EXPECT_EQ(x.exact, y.exact) << where;
      EXPECT_EQ(x.notes, y.notes) << where;
    }
    EXPECT_EQ(a->dataset_drift, b->dataset_drift);
  }
}

TEST(LoadDatasetTest, ErrorsNameTheFile) {
  const TempFile bad("bad.csv", "x,c\n1,a\n2\n");
  Result<LoadedDataset> d = Load(bad.path(), false);
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find(bad.path()), std::string::npos) << d.status().message();
  DatasetRequest missing_column;
  missing_column.path = bad.path();
  missing_column.columns = {"nope"};
  missing_column.keep_raw = true;
  missing_column.quantile_sketch = false;
  EXPECT_EQ(LoadDataset(missing_column, nullptr).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace modelwatch::io
