// Golden tests of the drift tests and distances against SciPy 1.10.1 / numpy 1.24.
//
// Every case in MW_GOLDEN_DRIFT_DIR (written by tests/golden/gen_drift.py; the format is
// described there) is checked:
//   - statistics, distances, p-values: 1e-9 relative. Values below 1e-300 (and SciPy's 0 for
//     p-values that underflow) compare with 1e-300 absolute: the last digits of a denormal are
//     not meaningful. Two p-values are differences with 1 and so have an absolute floor:
//     the asymptotic Cramer-von Mises p-value (1 - cdf, SciPy's series truncated at 1e-7) and
//     kstwo.sf where SciPy computes it as 1 - cdf: 1e-9 relative or 1e-14 absolute;
//   - Sturges edges bit-identical, bin counts, dof and the method names exactly.
// Each comparison records the worst relative error per quantity; the summary is printed at the
// end (the numbers quoted in docs/drift-tests.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "modelwatch/core/chi_square_homogeneity.h"
#include "modelwatch/core/cramer_von_mises.h"
#include "modelwatch/core/histogram_binning.h"
#include "modelwatch/core/histogram_distances.h"
#include "modelwatch/core/kolmogorov_smirnov.h"
#include "modelwatch/core/multiple_testing.h"
#include "modelwatch/core/special_functions.h"
#include "modelwatch/core/two_proportion_z.h"
#include "modelwatch/core/wasserstein_distance.h"

namespace modelwatch {
namespace {

namespace fs = std::filesystem;

constexpr double kRelTol = 1e-9;
constexpr double kTinyAbs = 1e-300;
constexpr double kComplementAbs = 1e-14;

// Worst relative error seen per quantity, over all cases (printed by the environment at exit).
std::map<std::string, double>& WorstErrors() {
  static auto* worst = new std::map<std::string, double>();
  return *worst;
}

class WorstErrorReporter : public testing::Environment {
 public:
  void TearDown() override {
    std::cout << "worst relative error against SciPy per quantity:\n";
    for (const auto& [name, err] : WorstErrors()) {
      std::cout << "  " << name << ": " << err << "\n";
    }
  }
};
const auto* const kReporter = testing::AddGlobalTestEnvironment(new WorstErrorReporter);

double RelativeError(double want, double got) {
  if (want == got) return 0.0;
  if (std::isnan(want) && std::isnan(got)) return 0.0;
  return std::fabs(got - want) / std::max(std::fabs(want), std::numeric_limits<double>::min());
}

// Checks got against want (1e-9 relative, or `abs_floor` absolute), recording the error.
void ExpectClose(const std::string& quantity, double want, double got, double abs_floor = 0.0,
                 const std::string& where = "") {
  const double rel = RelativeError(want, got);
  const double diff = std::fabs(got - want);
  const bool tiny = std::fabs(want) < kTinyAbs && diff <= kTinyAbs;
  if (!tiny) {
    double& worst = WorstErrors()[quantity];
    worst = std::max(worst, std::fabs(want) < kTinyAbs ? 0.0 : rel);
  }
  EXPECT_TRUE(rel <= kRelTol || diff <= abs_floor || tiny)
      << quantity << " " << where << ": want " << want << " got " << got << " (rel " << rel << ")";
}

// A case file: key -> tokens, plus the repeated `special` lines in order.
struct CaseFile {
  std::string name;
  std::map<std::string, std::vector<std::string>> fields;
  std::vector<std::vector<std::string>> lines;

  const std::vector<std::string>& Tokens(const std::string& key) const {
    static const std::vector<std::string> kEmpty;
    auto it = fields.find(key);
    return it == fields.end() ? kEmpty : it->second;
  }
  bool Has(const std::string& key) const { return fields.count(key) > 0; }
  std::string Str(const std::string& key) const {
    const auto& t = Tokens(key);
    return t.empty() ? "" : t[0];
  }
  double Num(const std::string& key) const { return std::strtod(Str(key).c_str(), nullptr); }
  std::vector<double> Nums(const std::string& key) const {
    std::vector<double> out;
    for (const auto& s : Tokens(key)) out.push_back(std::strtod(s.c_str(), nullptr));
    return out;
  }
};

void PrintTo(const CaseFile& c, std::ostream* os) { *os << c.name; }

CaseFile Load(const fs::path& path) {
  CaseFile c;
  c.name = path.stem().string();
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::vector<std::string> tokens;
    std::string t;
    while (ss >> t) tokens.push_back(t);
    if (tokens.empty()) continue;
    std::string key = tokens[0];
    std::vector<std::string> values(tokens.begin() + 1, tokens.end());
    c.lines.push_back(tokens);
    c.fields[key] = values;
  }
  return c;
}

std::vector<CaseFile> DiscoverCases() {
  std::vector<CaseFile> cases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(MW_GOLDEN_DRIFT_DIR, ec)) {
    if (entry.path().extension() == ".txt") cases.push_back(Load(entry.path()));
  }
  std::sort(cases.begin(), cases.end(),
            [](const CaseFile& a, const CaseFile& b) { return a.name < b.name; });
  return cases;
}

std::string TestName(const testing::TestParamInfo<CaseFile>& info) {
  std::string name = info.param.name;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

void CheckCountMeasures(const CaseFile& c, const std::vector<double>& rc,
                        const std::vector<double>& cc) {
  auto psi = PopulationStabilityIndex(rc, cc);
  ASSERT_TRUE(psi.ok()) << psi.status().ToString();
  ExpectClose("psi", c.Num("psi"), psi->statistic);
  auto js = JensenShannonDistance(rc, cc);
  ASSERT_TRUE(js.ok()) << js.status().ToString();
  ExpectClose("jensenshannon", c.Num("jensenshannon"), js->statistic);
  auto js2 = JensenShannonDistance(rc, cc, 2.0);
  ASSERT_TRUE(js2.ok());
  ExpectClose("jensenshannon_base2", c.Num("jensenshannon_base2"), js2->statistic);
  auto h = HellingerDistance(rc, cc);
  ASSERT_TRUE(h.ok());
  ExpectClose("hellinger", c.Num("hellinger"), h->statistic);
  auto chi = ChiSquareHomogeneityTest(rc, cc);
  ASSERT_TRUE(chi.ok()) << chi.status().ToString();
  ExpectClose("chi2_statistic", c.Num("chi2_statistic"), chi->statistic);
  ExpectClose("chi2_pvalue", c.Num("chi2_pvalue"), *chi->p_value);
  EXPECT_EQ(chi->dof, std::stoll(c.Str("chi2_dof")));
}

void CheckNumeric(const CaseFile& c) {
  const std::vector<double> ref = c.Nums("reference");
  const std::vector<double> cur = c.Nums("current");

  auto ks = KolmogorovSmirnovTest(ref, cur);
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  ExpectClose("ks_statistic", c.Num("ks_statistic"), ks->statistic);
  ExpectClose("ks_pvalue", c.Num("ks_pvalue"), *ks->p_value);
  EXPECT_EQ(ks->method, c.Str("ks_method"));
  EXPECT_EQ(ks->statistic_location, c.Num("ks_location"));
  EXPECT_EQ(ks->statistic_sign, std::stoi(c.Str("ks_sign")));

  if (c.Has("cvm_statistic")) {
    auto cvm = CramerVonMisesTest(ref, cur);
    ASSERT_TRUE(cvm.ok()) << cvm.status().ToString();
    ExpectClose("cvm_statistic", c.Num("cvm_statistic"), cvm->statistic);
    const bool asymptotic = c.Str("cvm_method") == "asymptotic";
    ExpectClose(asymptotic ? "cvm_pvalue_asymptotic" : "cvm_pvalue_exact", c.Num("cvm_pvalue"),
                *cvm->p_value, asymptotic ? kComplementAbs : 0.0);
    EXPECT_EQ(cvm->method, c.Str("cvm_method"));
  } else {
    EXPECT_EQ(CramerVonMisesTest(ref, cur).status().code(), StatusCode::kInvalidArgument);
  }

  auto w = WassersteinDistance(ref, cur);
  ASSERT_TRUE(w.ok());
  ExpectClose("wasserstein", c.Num("wasserstein"), w->statistic);
  auto wn = NormalizedWassersteinDistance(ref, cur);
  ASSERT_TRUE(wn.ok());
  ExpectClose("wasserstein_norm", c.Num("wasserstein_norm"), wn->statistic);
  ExpectClose("reference_std", std::max(c.Num("reference_std"), 0.001), wn->scale);

  auto edges = SturgesBinEdges(ref, cur);
  ASSERT_TRUE(edges.ok()) << edges.status().ToString();
  const std::vector<double> want_edges = c.Nums("sturges_edges");
  ASSERT_EQ(edges->size(), want_edges.size());
  for (size_t i = 0; i < want_edges.size(); ++i) {
    EXPECT_EQ((*edges)[i], want_edges[i]) << "edge " << i;
  }
  auto rc = HistogramCounts(ref, *edges);
  auto cc = HistogramCounts(cur, *edges);
  ASSERT_TRUE(rc.ok() && cc.ok());
  const std::vector<double> want_rc = c.Nums("reference_bin_counts");
  const std::vector<double> want_cc = c.Nums("current_bin_counts");
  ASSERT_EQ(rc->size(), want_rc.size());
  ASSERT_EQ(cc->size(), want_cc.size());
  std::vector<double> rcd, ccd;
  for (size_t i = 0; i < want_rc.size(); ++i) {
    EXPECT_EQ(static_cast<double>((*rc)[i]), want_rc[i]) << "reference bin " << i;
    EXPECT_EQ(static_cast<double>((*cc)[i]), want_cc[i]) << "current bin " << i;
    rcd.push_back(static_cast<double>((*rc)[i]));
    ccd.push_back(static_cast<double>((*cc)[i]));
  }
  CheckCountMeasures(c, rcd, ccd);
}

void CheckSpecial(const CaseFile& c) {
  int checked = 0;
  for (const auto& line : c.lines) {
    const std::string& f = line[0];
    std::string where;
    for (size_t i = 1; i < line.size(); ++i) where += line[i] + " ";
    auto num = [&](size_t i) { return std::strtod(line[i].c_str(), nullptr); };
    auto integer = [&](size_t i) { return std::stoll(line[i]); };
    if (f == "kind") continue;
    ++checked;
    if (f == "kstwo_sf") {
      // Where SciPy computes the sf as 1 - cdf (n d^2 < 2.2 and d < 0.5), absolute floor.
      const double n = num(1), d = num(2);
      const bool complement = d < 0.5 && n * d * d < (n <= 140 ? 4.0 : 2.2);
      ExpectClose("kstwo_sf", num(3), KolmogorovSmirnovSf(integer(1), d),
                  complement ? kComplementAbs : 0.0, where);
    } else if (f == "smirnov_sf") {
      ExpectClose("smirnov_sf", num(3), SmirnovSf(integer(1), num(2)), 0.0, where);
    } else if (f == "kolmogorov_sf") {
      ExpectClose("kolmogorov_sf", num(2), KolmogorovLimitSf(num(1)), kComplementAbs, where);
    } else if (f == "chi2_sf") {
      ExpectClose("chi2_sf", num(3), ChiSquareSf(num(2), num(1)), 0.0, where);
    } else if (f == "gammaincc") {
      ExpectClose("gammaincc", num(3), RegularizedGammaQ(num(1), num(2)), 0.0, where);
    } else if (f == "kv") {
      ExpectClose("kv", num(3), BesselK(num(1), num(2)), 0.0, where);
    } else if (f == "cvm_inf_cdf") {
      ExpectClose("cvm_inf_cdf", num(2), CramerVonMisesLimitCdf(num(1)), 0.0, where);
    } else if (f == "norm_sf") {
      ExpectClose("norm_sf", num(2), NormalSf(num(1)), 0.0, where);
    } else if (f == "ks_pvalue") {
      const std::string& mode = line[4];
      const KsMethod method = mode == "auto"    ? KsMethod::kAuto
                              : mode == "exact" ? KsMethod::kExact
                                                : KsMethod::kAsymptotic;
      const KsTestResult r = KolmogorovSmirnovPValue(num(3), integer(1), integer(2), method);
      ExpectClose("ks_pvalue_stage_statistic", num(5), r.statistic, 0.0, where);
      const bool complement = line[7] == "asymp";
      ExpectClose("ks_pvalue_stage_pvalue", num(6), *r.p_value, complement ? kComplementAbs : 0.0,
                  where);
      EXPECT_EQ(r.method, line[7]) << where;
    } else {
      ADD_FAILURE() << "unknown special line " << f;
    }
  }
  EXPECT_GT(checked, 100);
}

class GoldenDriftTest : public testing::TestWithParam<CaseFile> {};

TEST_P(GoldenDriftTest, MatchesScipy) {
  const CaseFile& c = GetParam();
  const std::string kind = c.Str("kind");
  if (kind == "numeric") {
    CheckNumeric(c);
  } else if (kind == "categorical") {
    CheckCountMeasures(c, c.Nums("reference_counts"), c.Nums("current_counts"));
  } else if (kind == "binary") {
    const auto v = c.Tokens("counts");
    ASSERT_EQ(v.size(), 4u);
    auto r = TwoProportionZTest(std::stoull(v[0]), std::stoull(v[1]), std::stoull(v[2]),
                                std::stoull(v[3]));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectClose("z_statistic", c.Num("z_statistic"), r->statistic);
    ExpectClose("z_pvalue", c.Num("z_pvalue"), *r->p_value);
  } else if (kind == "weighted") {
    auto r = WassersteinDistance(c.Nums("u_values"), c.Nums("u_weights"), c.Nums("v_values"),
                                 c.Nums("v_weights"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectClose("wasserstein_weighted", c.Num("wasserstein"), r->statistic);
  } else if (kind == "multiple_testing") {
    const std::vector<double> p = c.Nums("p_values");
    auto bonf = BonferroniAdjust(p);
    auto bh = BenjaminiHochbergAdjust(p);
    ASSERT_TRUE(bonf.ok() && bh.ok());
    const std::vector<double> want_bonf = c.Nums("bonferroni");
    const std::vector<double> want_bh = c.Nums("benjamini_hochberg");
    ASSERT_EQ(bonf->size(), want_bonf.size());
    ASSERT_EQ(bh->size(), want_bh.size());
    for (size_t i = 0; i < p.size(); ++i) {
      ExpectClose("bonferroni", want_bonf[i], (*bonf)[i]);
      ExpectClose("benjamini_hochberg", want_bh[i], (*bh)[i]);
    }
  } else if (kind == "special") {
    CheckSpecial(c);
  } else {
    FAIL() << "unknown kind '" << kind << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenDriftTest, testing::ValuesIn(DiscoverCases()), TestName);

TEST(GoldenDriftDataTest, CasesArePresent) { EXPECT_GE(DiscoverCases().size(), 50u); }

}  // namespace
}  // namespace modelwatch
