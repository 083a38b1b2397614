// Expected values computed with SciPy 1.10.1 (scipy.special / scipy.stats); the golden tests in
// tests/golden/drift check ~600 more points across every algorithm region.
#include "modelwatch/core/special_functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "internal/pairwise_sum.h"

namespace modelwatch {
namespace {

constexpr double kRel = 1e-12;

void ExpectRel(double want, double got, double rel = kRel) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << "want " << want << " got " << got;
}

TEST(SpecialFunctionsTest, NormalSf) {
  EXPECT_EQ(NormalSf(0.0), 0.5);
  ExpectRel(0.15865525393145707, NormalSf(1.0));
  ExpectRel(0.8413447460685429, NormalSf(-1.0));
  ExpectRel(2.0101655860041049e-263, NormalSf(34.65303759871119), 1e-13);  // erfc tail
  EXPECT_EQ(NormalSf(40.0), 0.0);  // below the smallest denormal, as SciPy
  EXPECT_TRUE(std::isnan(NormalSf(std::nan(""))));
}

TEST(SpecialFunctionsTest, LogGamma) {
  ExpectRel(0.5 * std::log(std::numbers::pi), static_cast<double>(LogGamma(0.5L)), 1e-15);
  EXPECT_NEAR(static_cast<double>(LogGamma(1.0L)), 0.0, 1e-17);
  EXPECT_NEAR(static_cast<double>(LogGamma(2.0L)), 0.0, 1e-17);
  ExpectRel(359.13420536957540, static_cast<double>(LogGamma(100.0L)), 1e-15);
  ExpectRel(690.77552789821368, static_cast<double>(LogGamma(1e-300L)), 1e-15);  // -log(x)
  EXPECT_TRUE(std::isnan(static_cast<double>(LogGamma(0.0L))));
  EXPECT_TRUE(std::isnan(static_cast<double>(LogGamma(-1.0L))));
}

TEST(SpecialFunctionsTest, ChiSquareAndIncompleteGamma) {
  ExpectRel(0.05004352124870519, ChiSquareSf(3.84, 1));
  EXPECT_EQ(ChiSquareSf(0.0, 3), 1.0);
  EXPECT_EQ(ChiSquareSf(-1.0, 3), 1.0);
  ExpectRel(1.0, ChiSquareSf(1e-300, 3));
  EXPECT_EQ(ChiSquareSf(2000, 10), 0.0);  // 1e-423 underflows, as SciPy
  ExpectRel(1.1509813397308637e-06, RegularizedGammaQ(1e-3, 5.0));
  ExpectRel(0.7676845381178862, RegularizedGammaQ(200.5, 190.0));
  EXPECT_EQ(RegularizedGammaQ(2.0, 0.0), 1.0);
  EXPECT_EQ(RegularizedGammaQ(2.0, std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isnan(RegularizedGammaQ(0.0, 1.0)));
  EXPECT_TRUE(std::isnan(RegularizedGammaQ(1.0, -1.0)));
  EXPECT_TRUE(std::isnan(ChiSquareSf(1.0, 0.0)));
}

TEST(SpecialFunctionsTest, BesselK) {
  ExpectRel(0.4307397744485814, BesselK(0.25, 1.0), 1e-13);  // Temme series
  ExpectRel(0.0840606319741174, BesselK(2.5, 3.0), 1e-13);   // CF2 + recurrence
  ExpectRel(0.9244190712276656, BesselK(0.0, 0.5), 1e-13);   // mu = 0 limit of gam1
  EXPECT_EQ(BesselK(0.25, 0.0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(BesselK(0.25, 800.0), 0.0);
  EXPECT_TRUE(std::isnan(BesselK(0.25, -1.0)));
}

TEST(SpecialFunctionsTest, SmirnovAndKolmogorov) {
  ExpectRel(0.34282, SmirnovSf(5, 0.3));
  EXPECT_EQ(SmirnovSf(1, 0.3), 0.7);
  EXPECT_EQ(SmirnovSf(10, 0.0), 1.0);
  EXPECT_EQ(SmirnovSf(10, 1.0), 0.0);
  EXPECT_TRUE(std::isnan(SmirnovSf(0, 0.5)));
  EXPECT_TRUE(std::isnan(SmirnovSf(5, 1.5)));
  ExpectRel(0.26999967167735456, KolmogorovLimitSf(1.0));
  EXPECT_EQ(KolmogorovLimitSf(0.0), 1.0);
  EXPECT_EQ(KolmogorovLimitSf(0.03), 1.0);
}

TEST(SpecialFunctionsTest, KolmogorovSmirnovSfRegions) {
  ExpectRel(0.27053557479999946, KolmogorovSmirnovSf(10, 0.3));      // Durbin matrix
  ExpectRel(0.013012074781090332, KolmogorovSmirnovSf(1000, 0.05));  // Pelz-Good
  EXPECT_EQ(KolmogorovSmirnovSf(10, 0.05), 1.0);                     // d <= 1/(2n)
  EXPECT_EQ(KolmogorovSmirnovSf(10, 1.0), 0.0);
  ExpectRel(2 * std::pow(0.05, 10), KolmogorovSmirnovSf(10, 0.95));  // Ruben-Gambino
  ExpectRel(2 * SmirnovSf(10, 0.6), KolmogorovSmirnovSf(10, 0.6));   // d >= 0.5
  EXPECT_EQ(KolmogorovSmirnovSf(100000, 0.1), 0.0);                  // n d^2 >= 370
  EXPECT_TRUE(std::isnan(KolmogorovSmirnovSf(0, 0.1)));
  EXPECT_TRUE(std::isnan(KolmogorovSmirnovSf(10, std::nan(""))));
}

TEST(SpecialFunctionsTest, CramerVonMisesLimitCdf) {
  ExpectRel(0.9499996168673471, CramerVonMisesLimitCdf(0.46136), 1e-13);
  EXPECT_EQ(CramerVonMisesLimitCdf(0.0), 0.0);
  EXPECT_LT(CramerVonMisesLimitCdf(0.003), 1e-17);
}

TEST(PairwiseSumTest, FollowsNumpyOrder) {
  // np.sum differs from a left-to-right sum on these inputs.
  std::vector<double> a;
  for (int i = 0; i < 20; ++i) a.push_back(i % 3 == 0 ? 1e16 : (i % 3 == 1 ? 1.0 : -1e16 + 2));
  EXPECT_EQ(internal::NumpySum(a), 1.000000000000002e+16);
  std::vector<double> b;
  for (int i = 0; i < 300; ++i) {
    b.push_back(std::pow(i * 0.1, 3) * (i % 2 ? -1 : 1) + (i % 7 == 0 ? 1e10 : 0));
  }
  EXPECT_EQ(internal::NumpySum(b), 429999986567.5);
  EXPECT_EQ(internal::NumpySum(std::vector<double>{}), 0.0);
}

}  // namespace
}  // namespace modelwatch
