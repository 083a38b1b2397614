// `modelwatch profile | drift | report` run in-process: outputs, exit codes, and errors that name
// the file and place. Statistical exactness lives in the core and golden tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli_test_util.h"

namespace modelwatch::cli {
namespace {

using ::testing::HasSubstr;

class DriftCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mw_drift_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    // 40 rows: x numeric (current shifted: the one drifted column), c categorical, b boolean.
    std::string ref = "x,c,b\n", cur = "x,c,b\n";
    for (int i = 0; i < 40; ++i) {
      static const char* kColors[] = {"blue", "red", "green"};
      ref += std::to_string(i) + "," + kColors[i % 3] + "," + (i % 2 ? "true" : "false") + "\n";
      cur +=
          std::to_string(i + 25) + "," + kColors[i % 3] + "," + (i % 2 ? "true" : "false") + "\n";
    }
    ref_ = Write("ref.csv", ref);
    cur_ = Write("cur.csv", cur);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }

  static CliRun Main(std::vector<std::string> args) { return RunCli(std::move(args)); }

  std::filesystem::path dir_;
  std::string ref_, cur_;
};

TEST_F(DriftCommandTest, DriftJsonFollowsTheContract) {
  const CliRun r = Main({"drift", "--reference", ref_, "--current", cur_});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* key :
       {"\"dataset_drift\": false", "\"drift_share\":", "\"n_drifted\": 1", "\"n_columns\": 3",
        "\"n_reference\": 40", "\"n_current\": 40", "\"x\": {", "\"type\": \"numeric\"",
        "\"method\": \"ks\"", "\"p_value\":", "\"threshold\": 0.05", "\"effect_size\":",
        "\"missing_share_current\": 0", "\"method\": \"chi2\"", "\"method\": \"z\""}) {
    EXPECT_THAT(r.out, HasSubstr(key)) << r.out;
  }
}

TEST_F(DriftCommandTest, ForcedMethodAndTable) {
  const CliRun r = Main({"drift", "--reference", ref_, "--current", cur_, "--method", "psi",
                         "--format", "table", "--drift-share", "0.9"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("dataset drift: no"));
  EXPECT_THAT(r.out, HasSubstr("psi"));
}

TEST_F(DriftCommandTest, ProfileRoundTripAndDriftFromProfiles) {
  const std::string prof = Path("ref.mwprof");
  ASSERT_EQ(Main({"profile", "--input", ref_, "--output", prof}).code, 0);
  const CliRun json = Main({"profile", "--input", prof, "--format", "json", "--output", "-"});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"rows\": 40"));
  EXPECT_THAT(json.out, HasSubstr("\"type\": \"boolean\""));
  const CliRun r = Main({"drift", "--reference", prof, "--current", cur_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"n_reference\": 40"));
  // Below k values the KLL sketch is exact, so the profile-based statistic is exact too.
  EXPECT_THAT(r.out, HasSubstr("\"method\": \"ks\""));
}

TEST_F(DriftCommandTest, BadRowNamesFileLineAndColumn) {
  const std::string bad = Write("bad.csv", "x,c\n1,a\n2,\"b\n");
  const CliRun r = Main({"drift", "--reference", ref_, "--current", bad, "--columns", "x,c"});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("bad.csv:3:"));
}

TEST_F(DriftCommandTest, MissingColumnIsNamed) {
  const CliRun r = Main({"drift", "--reference", ref_, "--current", cur_, "--columns", "x,nope"});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("nope"));
}

TEST_F(DriftCommandTest, CorruptOrForeignProfileIsAClearError) {
  const std::string prof = Path("ref.mwprof");
  ASSERT_EQ(Main({"profile", "--input", ref_, "--output", prof}).code, 0);
  std::string bytes = Read(prof);
  const std::string truncated = Write("truncated.mwprof", bytes.substr(0, bytes.size() / 2));
  CliRun r = Main({"drift", "--reference", truncated, "--current", cur_});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("truncated.mwprof"));
  bytes[bytes.size() / 2] ^= 1;
  const std::string flipped = Write("flipped.mwprof", bytes);
  r = Main({"drift", "--reference", flipped, "--current", cur_});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("flipped.mwprof"));
  // A newer format version: header bytes 6-7 (little-endian u16 after the magic and family).
  std::string newer = Read(prof);
  newer[6] = 9;
  r = Main({"drift", "--reference", Write("newer.mwprof", newer), "--current", cur_});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("version"));
}

TEST_F(DriftCommandTest, UsageErrors) {
  EXPECT_EQ(Main({"drift", "--reference", ref_, "--current", cur_, "--method", "t"}).code, 2);
  EXPECT_EQ(Main({"drift", "--reference", ref_, "--current", cur_, "--threshold", "0.1"}).code,
            2);  // a threshold needs a method
  EXPECT_EQ(Main({"drift", "--reference", ref_, "--current", cur_, "--drift-share", "0"}).code, 2);
  // Regression: negative and NaN thresholds were silently replaced by the default.
  for (const char* bad : {"-0.5", "nan", "x"}) {
    const CliRun r = Main(
        {"drift", "--reference", ref_, "--current", cur_, "--method", "psi", "--threshold", bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_THAT(r.err, HasSubstr("--threshold")) << bad;
  }
  EXPECT_EQ(Main({"drift", "--reference", ref_, "--current", cur_, "--correction", "x"}).code, 2);
  EXPECT_EQ(Main({"profile", "--input", ref_, "--output", "-", "--format", "xml"}).code, 2);
}

TEST_F(DriftCommandTest, ReportIsOneSelfContainedHtmlFile) {
  std::string data = "x,c,y,p,s\n";
  for (int i = 0; i < 30; ++i) {
    data += std::to_string(i) + ",k" + std::to_string(i % 4) + "," + std::to_string(i % 2) + "," +
            std::to_string((i / 2) % 2) + ",0." + std::to_string(10 + i) + "\n";
  }
  const std::string cur = Write("cur_labels.csv", data);
  const std::string html = Path("report.html");
  const CliRun r =
      Main({"report", "--reference", cur, "--current", cur, "--task", "binary", "--label-col", "y",
            "--pred-col", "p", "--score-col", "s", "--output", html});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string page = Read(html);
  EXPECT_THAT(page, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(page, HasSubstr("<svg"));
  EXPECT_THAT(page, HasSubstr("Model quality"));
  EXPECT_THAT(page, HasSubstr("roc_auc"));
  EXPECT_EQ(page.find("http://") == std::string::npos ||
                page.find("http://") == page.find("http://www.w3.org/2000/svg"),
            true);  // no link to fetch: only the SVG namespace name
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace modelwatch::cli
