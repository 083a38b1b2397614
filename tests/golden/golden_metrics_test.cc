// Golden tests of `modelwatch metrics` against scikit-learn 1.2.1.
//
// Every case in MW_GOLDEN_DIR (written by tests/golden/gen_metrics.py) is a pair
//   <case>.json   {"description", "args": ["metrics", ..], "input": "<case>.csv", "expected"}
//   <case>.csv | <case>.ndjson
// The test runs `modelwatch <args> --input <dir>/<input> --format json` in-process and compares
// the report with `expected`:
//   - every key of `expected` must be in the report; below the top level the key sets must be
//     equal (no "binary" average for multiclass, no "fbeta" without --beta, ...); at the top
//     level the report may add "warnings" and, in histogram mode, "error_bounds";
//   - numbers agree to 1e-9 relative (1e-12 absolute near zero); n, labels, support and the
//     confusion matrix exactly; null must be null; strings exactly;
//   - with "score_mode": "histogram", roc_auc and average_precision hold scikit-learn's exact
//     values and the report's must lie within its own error_bounds (+1e-12).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/cli/cli.h"
#include "simdjson.h"

namespace modelwatch {
namespace {

namespace fs = std::filesystem;

constexpr double kRelTol = 1e-9;
constexpr double kAbsTol = 1e-12;
constexpr size_t kMaxReportedMismatches = 40;

struct GoldenCase {
  std::string name;  // file stem, e.g. "binary_balanced"
  fs::path spec;     // <case>.json
};

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

std::vector<GoldenCase> DiscoverCases() {
  std::vector<GoldenCase> cases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(MW_GOLDEN_DIR, ec)) {
    if (entry.path().extension() == ".json") {
      cases.push_back({entry.path().stem().string(), entry.path()});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const GoldenCase& a, const GoldenCase& b) { return a.name < b.name; });
  return cases;
}

std::string TestName(const testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

bool IsNumber(simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  return e.type() == T::INT64 || e.type() == T::UINT64 || e.type() == T::DOUBLE;
}

std::string Render(simdjson::dom::element e) { return simdjson::minify(e); }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Compares an expected JSON value with the report's, collecting readable mismatches.
class Comparator {
 public:
  Comparator(bool histogram, simdjson::dom::element report) : histogram_(histogram) {
    if (histogram_) {
      simdjson::dom::element bounds;
      if (report["error_bounds"].get(bounds) == simdjson::SUCCESS) {
        bounds_ = bounds;
        has_bounds_ = true;
      }
    }
  }

  void Compare(simdjson::dom::element want, simdjson::dom::element got, const std::string& path) {
    using T = simdjson::dom::element_type;
    if (want.type() == T::NULL_VALUE) {
      if (got.type() != T::NULL_VALUE) Fail(path, "null", Render(got));
      return;
    }
    if (IsNumber(want)) {
      if (!IsNumber(got)) return Fail(path, Render(want), Render(got));
      CompareNumbers(double(want.get_double()), double(got.get_double()), path);
      return;
    }
    if (want.type() != got.type()) return Fail(path, Render(want), Render(got));
    switch (want.type()) {
      case T::STRING:
      case T::BOOL:
        if (Render(want) != Render(got)) Fail(path, Render(want), Render(got));
        return;
      case T::ARRAY: {
        simdjson::dom::array w = want.get_array();
        simdjson::dom::array g = got.get_array();
        if (w.size() != g.size()) {
          return Fail(path, Render(want), Render(got) + " (length differs)");
        }
        size_t i = 0;
        for (auto gi = g.begin(); simdjson::dom::element wi : w) {
          Compare(wi, *gi, path + "[" + std::to_string(i++) + "]");
          ++gi;
        }
        return;
      }
      case T::OBJECT: {
        simdjson::dom::object w = want.get_object();
        simdjson::dom::object g = got.get_object();
        std::set<std::string_view> wanted;
        for (auto [key, value] : w) {
          wanted.insert(key);
          std::string sub = path.empty() ? std::string(key) : path + "." + std::string(key);
          simdjson::dom::element gv;
          if (g.at_key(key).get(gv) != simdjson::SUCCESS) {
            Fail(sub, Render(value), "<missing>");
            continue;
          }
          Compare(value, gv, sub);
        }
        for (auto [key, value] : g) {
          if (wanted.count(key)) continue;
          if (path.empty() && (key == "warnings" || (key == "error_bounds" && histogram_))) {
            continue;
          }
          std::string sub = path.empty() ? std::string(key) : path + "." + std::string(key);
          Fail(sub, "<absent>", Render(value));
        }
        return;
      }
      default:
        return Fail(path, Render(want), Render(got));
    }
  }

  const std::vector<std::string>& mismatches() const { return mismatches_; }

 private:
  static bool IsExactPath(const std::string& path) {
    return path == "n" || StartsWith(path, "labels") || StartsWith(path, "confusion_matrix") ||
           StartsWith(path, "metrics.support");
  }

  void CompareNumbers(double want, double got, const std::string& path) {
    if (IsExactPath(path)) {
      if (want != got) Fail(path, Num(want), Num(got));
      return;
    }
    if (histogram_ &&
        (StartsWith(path, "metrics.roc_auc") || StartsWith(path, "metrics.average_precision"))) {
      std::string bound_path = path.substr(std::string_view("metrics.").size());
      double bound = 0;
      if (!Bound(bound_path, &bound)) {
        return Fail("error_bounds." + bound_path, "a number >= 0", "<missing or invalid>");
      }
      if (!(std::fabs(got - want) <= bound + kAbsTol)) {
        Fail(path, Num(want) + " within ±" + Num(bound),
             Num(got) + " (off by " + Num(std::fabs(got - want)) + ")");
      }
      return;
    }
    double tol = std::max(kRelTol * std::fabs(want), kAbsTol);
    if (!(std::fabs(got - want) <= tol)) {
      Fail(path, Num(want), Num(got) + " (off by " + Num(std::fabs(got - want)) + ")");
    }
  }

  // Looks up error_bounds.<dotted path> in the report.
  bool Bound(const std::string& dotted, double* bound) const {
    if (!has_bounds_) return false;
    simdjson::dom::element e = bounds_;
    std::string_view rest = dotted;
    while (!rest.empty()) {
      size_t dot = rest.find('.');
      std::string_view key = rest.substr(0, dot);
      if (e[key].get(e) != simdjson::SUCCESS) return false;
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    double b;
    if (e.get_double().get(b) != simdjson::SUCCESS || !(b >= 0)) return false;
    *bound = b;
    return true;
  }

  static std::string Num(double v) {
    std::ostringstream os;
    os.precision(17);
    os << v;
    return os.str();
  }

  void Fail(const std::string& path, const std::string& want, const std::string& got) {
    if (want.size() > 300 || got.size() > 300) {
      mismatches_.push_back(path + ": expected " + want.substr(0, 300) + "..., got " +
                            got.substr(0, 300) + "...");
    } else {
      mismatches_.push_back(path + ": expected " + want + ", got " + got);
    }
  }

  bool histogram_;
  bool has_bounds_ = false;
  simdjson::dom::element bounds_;
  std::vector<std::string> mismatches_;
};

class GoldenMetricsTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenMetricsTest, MatchesScikitLearn) {
  const GoldenCase& c = GetParam();

  simdjson::padded_string spec_text;
  ASSERT_EQ(simdjson::padded_string::load(c.spec.string()).get(spec_text), simdjson::SUCCESS)
      << c.spec;
  simdjson::dom::parser spec_parser;
  simdjson::dom::element spec;
  ASSERT_EQ(spec_parser.parse(spec_text).get(spec), simdjson::SUCCESS) << c.spec;

  simdjson::dom::array args_json;
  std::string_view input;
  simdjson::dom::element expected;
  ASSERT_EQ(spec["args"].get(args_json), simdjson::SUCCESS) << "no \"args\" in " << c.spec;
  ASSERT_EQ(spec["input"].get(input), simdjson::SUCCESS) << "no \"input\" in " << c.spec;
  ASSERT_EQ(spec["expected"].get(expected), simdjson::SUCCESS) << "no \"expected\" in " << c.spec;
  std::string_view description;
  if (spec["description"].get(description) == simdjson::SUCCESS) {
    RecordProperty("description", std::string(description));
  }

  std::vector<std::string> args = {"modelwatch"};
  for (simdjson::dom::element a : args_json) {
    std::string_view s;
    ASSERT_EQ(a.get(s), simdjson::SUCCESS) << "non-string argument in " << c.spec;
    args.emplace_back(s);
  }
  args.insert(args.end(), {"--input", (fs::path(MW_GOLDEN_DIR) / std::string(input)).string(),
                           "--format", "json"});
  std::vector<const char*> argv;
  std::string command;
  for (const std::string& a : args) {
    argv.push_back(a.c_str());
    command += (command.empty() ? "" : " ") + a;
  }
  argv.push_back(nullptr);

  std::ostringstream out, err;
  int rc = cli::Main(static_cast<int>(args.size()), argv.data(), out, err);
  ASSERT_EQ(rc, cli::kExitOk) << command << "\nstderr:\n" << err.str();

  simdjson::dom::parser report_parser;
  simdjson::dom::element report;
  std::string report_text = out.str();
  auto parse_error = report_parser.parse(report_text).get(report);
  ASSERT_EQ(parse_error, simdjson::SUCCESS)
      << command << "\nstdout is not JSON (" << simdjson::error_message(parse_error) << "):\n"
      << report_text.substr(0, 2000);

  std::string_view score_mode;
  bool histogram =
      expected["score_mode"].get(score_mode) == simdjson::SUCCESS && score_mode == "histogram";
  Comparator comparator(histogram, report);
  comparator.Compare(expected, report, "");
  if (histogram) {
    simdjson::dom::element bounds;
    EXPECT_EQ(report["error_bounds"].get(bounds), simdjson::SUCCESS)
        << command << "\nhistogram mode must report error_bounds";
  }

  const auto& mismatches = comparator.mismatches();
  if (!mismatches.empty()) {
    std::ostringstream msg;
    msg << mismatches.size() << " mismatch(es) against scikit-learn for " << c.name << "\n  "
        << command << "\n";
    for (size_t i = 0; i < mismatches.size() && i < kMaxReportedMismatches; ++i) {
      msg << "  " << mismatches[i] << "\n";
    }
    if (mismatches.size() > kMaxReportedMismatches) msg << "  ...\n";
    ADD_FAILURE() << msg.str();
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, GoldenMetricsTest, testing::ValuesIn(DiscoverCases()), TestName);

TEST(GoldenMetricsDataTest, CasesArePresent) {
  // Guards against a wrong MW_GOLDEN_DIR silently running zero cases.
  EXPECT_GE(DiscoverCases().size(), 40u) << "golden cases in " << MW_GOLDEN_DIR;
}

}  // namespace
}  // namespace modelwatch
