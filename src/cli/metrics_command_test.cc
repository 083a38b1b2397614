// `modelwatch metrics` run in-process: exit codes, error messages naming FILE:LINE:COLUMN,
// output formats. Numeric exactness against scikit-learn lives in tests/golden/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_test_util.h"

namespace modelwatch::cli {
namespace {

using ::testing::HasSubstr;

class MetricsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mw_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static CliRun Main(std::vector<std::string> args) { return RunCli(std::move(args)); }

  // A binary run over `path` with the usual columns.
  static CliRun Binary(const std::string& path, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"metrics", "--task",      "binary", "--input",
                                     path,      "--label-col", "y",      "--pred-col",
                                     "p",       "--score-col", "s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Main(args);
  }

  std::filesystem::path dir_;
};

TEST_F(MetricsCommandTest, BinaryJsonReport) {
  std::string path = Write("a.csv", "y,p,s\n0,0,0.1\n1,1,0.9\n1,0,0.4\n0,1,0.6\n1,1,0.8\n");
  CliRun r = Binary(path);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"task\": \"binary\""));
  EXPECT_THAT(r.out, HasSubstr("\"n\": 5"));
  EXPECT_THAT(r.out, HasSubstr("\"accuracy\": 0.6"));
  EXPECT_THAT(r.out, HasSubstr("\"binary\": 0.6666666666666666"));  // precision of 1
  EXPECT_THAT(r.out, HasSubstr("\"roc_auc\": 0.833333333333333"));  // sklearn: 5/6
  EXPECT_THAT(r.out, HasSubstr("\"matrix\": [\n      [\n        1,\n        1\n      ]"));
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(MetricsCommandTest, TableFormatAndOutputFile) {
  std::string path = Write("a.csv", "y,p,s\n0,0,0.1\n1,1,0.9\n");
  std::string out = (dir_ / "report.txt").string();
  CliRun r = Binary(path, {"--format", "table", "--output", out});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("accuracy"));
  EXPECT_THAT(text, HasSubstr("1.0000"));
  EXPECT_THAT(text, HasSubstr("confusion matrix"));
}

TEST_F(MetricsCommandTest, NdjsonInputWithStringLabels) {
  std::string path = Write("a.ndjson",
                           "{\"y\":\"cat\",\"p\":\"dog\"}\n"
                           "{\"y\":\"dog\",\"p\":\"dog\"}\n"
                           "{\"y\":\"cat\",\"p\":\"cat\"}\n");
  CliRun r = Main(
      {"metrics", "--task", "multiclass", "--input", path, "--label-col", "y", "--pred-col", "p"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"labels\": [\n    \"cat\",\n    \"dog\"\n  ]"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("\"binary\"")));
}

TEST_F(MetricsCommandTest, HelpExitsZeroAndListsFlags) {
  CliRun r = Main({"metrics", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* flag : {"--task", "--score-prefix", "--zero-division", "--score-mode",
                           "--positive-label", "--ece-bins", "Exit codes"}) {
    EXPECT_THAT(r.out, HasSubstr(flag));
  }
}

TEST_F(MetricsCommandTest, UsageErrorsExitTwo) {
  std::string path = Write("a.csv", "y,p,s\n0,0,0.1\n");
  EXPECT_EQ(Main({"metrics", "--task", "binary"}).code, kExitUsage);  // missing required flags
  EXPECT_EQ(Main({"frobnicate"}).code, kExitUsage);
  EXPECT_EQ(Main({}).code, kExitUsage);
  CliRun task = Main(
      {"metrics", "--task", "ranking", "--input", path, "--label-col", "y", "--pred-col", "p"});
  EXPECT_EQ(task.code, kExitUsage);
  EXPECT_THAT(task.err, HasSubstr("--task must be binary, multiclass or regression"));
  CliRun wrong = Main({"metrics", "--task", "multiclass", "--input", path, "--label-col", "y",
                       "--pred-col", "p", "--score-col", "s"});
  EXPECT_EQ(wrong.code, kExitUsage);
  EXPECT_THAT(wrong.err, HasSubstr("--score-col applies to --task binary only"));
  CliRun zd = Binary(path, {"--zero-division", "2"});
  EXPECT_EQ(zd.code, kExitUsage);
  EXPECT_THAT(zd.err, HasSubstr("--zero-division must be warn, 0, 1 or nan"));
  EXPECT_EQ(Binary(path, {"--beta", "-1"}).code, kExitUsage);
  EXPECT_EQ(Binary(path, {"--ece-bins", "0"}).code, kExitUsage);
  EXPECT_EQ(Binary(path, {"--format", "xml"}).code, kExitUsage);
  EXPECT_EQ(Binary(path, {"--score-mode", "fast"}).code, kExitUsage);
  CliRun ext = Binary(Write("a.txt", "y,p,s\n"));
  EXPECT_EQ(ext.code, kExitUsage);
}

// Input-data errors: exit 3 and a message that names the place.
struct BadInputCase {
  const char* name;
  const char* file;
  const char* content;
  std::vector<std::string> extra;
  const char* message;  // expected substring; "FILE" stands for the file's path
};

class BadInputTest : public MetricsCommandTest,
                     public ::testing::WithParamInterface<BadInputCase> {};

TEST_P(BadInputTest, ExitsThreeNamingThePlace) {
  const BadInputCase& c = GetParam();
  std::string path = Write(c.file, c.content);
  CliRun r = Binary(path, c.extra);
  EXPECT_EQ(r.code, kExitInputData) << r.err;
  std::string expected = c.message;
  size_t at = expected.find("FILE");
  if (at != std::string::npos) expected.replace(at, 4, path);
  EXPECT_THAT(r.err, HasSubstr(expected));
  EXPECT_TRUE(r.out.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadInputTest,
    ::testing::Values(
        BadInputCase{"empty_file", "e.csv", "", {}, "FILE: file is empty"},
        BadInputCase{"missing_column", "m.csv", "y,p\n0,1\n", {}, "column 's' not found"},
        BadInputCase{"non_numeric_score",
                     "n.csv",
                     "y,p,s\n0,0,0.1\n1,1,abc\n",
                     {},
                     "FILE:3:3: column 's': 'abc' is not a finite number"},
        BadInputCase{"probability_out_of_range",
                     "r.csv",
                     "y,p,s\n0,0,1.5\n",
                     {},
                     "FILE:2:3: column 's': probability 1.5 is outside [0, 1]"},
        BadInputCase{"ragged_row", "g.csv", "y,p,s\n0,0,0.1\n1,1\n", {}, "FILE:3"},
        BadInputCase{"broken_quotes", "q.csv", "y,p,s\n0,0,0.1\n\"1,1,0.2\n", {}, "FILE:3"},
        BadInputCase{
            "empty_label", "l.csv", "y,p,s\n,0,0.1\n", {}, "FILE:2:1: column 'y' is empty"},
        BadInputCase{"label_outside_labels",
                     "o.csv",
                     "y,p,s\n0,0,0.1\n1,2,0.1\n",
                     {"--labels", "0,1"},
                     "FILE:3:2: column 'p': label '2' is not one of --labels (0, 1)"},
        BadInputCase{"third_binary_label",
                     "t.csv",
                     "y,p,s\n0,1,0.1\n2,1,0.1\n",
                     {},
                     "FILE:3:1: column 'y': a binary task has two labels, but found a third: "
                     "'2'"},
        BadInputCase{"positive_label_absent",
                     "pl.csv",
                     "y,p,s\nno,yes,0.1\n",
                     {},
                     "FILE:2:2: the positive label '1' is not one of the labels (no, yes); "
                     "choose it with --positive-label"},
        BadInputCase{
            "bad_ndjson", "b.ndjson", "{\"y\":0,\"p\":0,\"s\":0.1}\n{\"y\":1,\n", {}, "FILE:2"},
        BadInputCase{"ndjson_missing_field",
                     "f.ndjson",
                     "{\"y\":0,\"p\":0,\"s\":0.1}\n{\"y\":1,\"p\":1}\n",
                     {},
                     "FILE:2: field 's' is missing"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

TEST_F(MetricsCommandTest, MissingFileExitsThree) {
  CliRun r = Binary("/nonexistent/x.csv");
  EXPECT_EQ(r.code, kExitInputData);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/x.csv"));
}

TEST_F(MetricsCommandTest, MulticlassScoreErrors) {
  std::string nocol = Write("c.csv", "y,p,p_a,p_b\na,a,0.5,0.5\nc,a,0.5,0.5\n");
  CliRun r = Main({"metrics", "--task", "multiclass", "--input", nocol, "--label-col", "y",
                   "--pred-col", "p", "--score-prefix", "p_"});
  EXPECT_EQ(r.code, kExitInputData);
  EXPECT_THAT(r.err, HasSubstr(nocol + ":3:1: label 'c' has no score column (classes with "
                                       "scores: a, b)"));
  std::string sum = Write("s.csv", "y,p,p_a,p_b\na,a,0.5,0.4\n");
  r = Main({"metrics", "--task", "multiclass", "--input", sum, "--label-col", "y", "--pred-col",
            "p", "--score-cols", "a=p_a,b=p_b"});
  EXPECT_EQ(r.code, kExitInputData);
  EXPECT_THAT(r.err, HasSubstr(sum + ":2: class probabilities sum to 0.9, not 1"));
  r = Main({"metrics", "--task", "multiclass", "--input", sum, "--label-col", "y", "--pred-col",
            "p", "--score-prefix", "q_"});
  EXPECT_EQ(r.code, kExitInputData);
  EXPECT_THAT(r.err, HasSubstr("no column starts with the score prefix 'q_'"));
  r = Main({"metrics", "--task", "multiclass", "--input", sum, "--label-col", "y", "--pred-col",
            "p", "--score-cols", "a"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--score-cols: 'a' is not LABEL=COLUMN"));
}

// Many labels, short (the evaluator's direct-mapped cache, whose slots they share) and long (the
// interner alone): the report is the one of the same rows with every label made long.
TEST_F(MetricsCommandTest, ManyShortAndLongLabels) {
  const std::string prefix = "long_prefix_";
  std::string data = "y,p\n", long_data = "y,p\n";
  auto label = [](size_t j) {
    return j % 2 ? "c" + std::to_string(j) : "a_longer_label_" + std::to_string(j);
  };
  for (size_t i = 0; i < 3000; ++i) {
    const std::string y = label(i % 150), p = i % 3 == 0 ? label((i * 7 + 1) % 150) : y;
    data += y + "," + p + "\n";
    long_data += prefix + y + "," + prefix + p + "\n";
  }
  auto run = [&](const std::string& name, const std::string& content) {
    return Main({"metrics", "--task", "multiclass", "--input", Write(name, content), "--label-col",
                 "y", "--pred-col", "p", "--threads", "1"});
  };
  const CliRun r = run("labels.csv", data), long_r = run("long.csv", long_data);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  ASSERT_EQ(long_r.code, kExitOk) << long_r.err;
  EXPECT_THAT(r.out, HasSubstr("\"n\": 3000"));
  std::string unprefixed = long_r.out;
  for (size_t at; (at = unprefixed.find(prefix)) != std::string::npos;)
    unprefixed.erase(at, prefix.size());
  EXPECT_EQ(r.out, unprefixed);
}

// A file big enough to be read in parallel parts (> 1 MiB per part).
std::string BigBinaryCsv(size_t rows, size_t bad_row = 0) {
  std::string data = "label,pred,score\n";
  uint64_t x = 88172645463325252ull;
  for (size_t i = 1; i <= rows; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const int label = static_cast<int>(x % 10 < 3);
    const double score = static_cast<double>((x >> 20) % 1000000) / 1e6;
    data += std::to_string(label) + "," + std::to_string(score >= 0.5) + ",";
    data += i == bad_row ? std::string("oops") : std::to_string(score);
    data += "\n";
  }
  return data;
}

TEST_F(MetricsCommandTest, ParallelPartsGiveTheSequentialResult) {
  std::string path = Write("big.csv", BigBinaryCsv(600000));
  auto run = [&](const char* threads) {
    return Main({"metrics", "--task", "binary", "--input", path, "--label-col", "label",
                 "--pred-col", "pred", "--score-col", "score", "--threads", threads});
  };
  CliRun one = run("1"), two = run("2"), four = run("4");
  ASSERT_EQ(one.code, kExitOk) << one.err;
  EXPECT_THAT(one.out, HasSubstr("\"n\": 600000"));
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(one.out, four.out);
}

TEST_F(MetricsCommandTest, ParallelRunStillNamesTheExactLineOfAnError) {
  std::string path = Write("bad.csv", BigBinaryCsv(600000, /*bad_row=*/500000));
  CliRun r = Main({"metrics", "--task", "binary", "--input", path, "--label-col", "label",
                   "--pred-col", "pred", "--score-col", "score", "--threads", "2"});
  EXPECT_EQ(r.code, kExitInputData);
  EXPECT_THAT(r.err, HasSubstr(path + ":500001:3: column 'score': 'oops' is not a finite number"));
}

TEST_F(MetricsCommandTest, RegressionNonNumericValue) {
  std::string path = Write("r.csv", "y,p\n1.5,2\n2,x\n");
  CliRun r = Main(
      {"metrics", "--task", "regression", "--input", path, "--label-col", "y", "--pred-col", "p"});
  EXPECT_EQ(r.code, kExitInputData);
  EXPECT_THAT(r.err, HasSubstr(path + ":3:2: column 'p': 'x' is not a finite number"));
}

TEST_F(MetricsCommandTest, RegressionReport) {
  std::string path = Write("r.csv", "y,p\n3,2.5\n-0.5,0.0\n2,2\n7,8\n");
  CliRun r = Main(
      {"metrics", "--task", "regression", "--input", path, "--label-col", "y", "--pred-col", "p"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  // sklearn: mean_absolute_error = 0.5, r2_score = 0.9486081370449679
  EXPECT_THAT(r.out, HasSubstr("\"mae\": 0.5"));
  EXPECT_THAT(r.out, HasSubstr("\"r2\": 0.948608137044967"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("confusion_matrix")));
}

}  // namespace
}  // namespace modelwatch::cli
