// Chi-square test of homogeneity of a categorical column: are the category counts of the
// reference and the current window drawn from the same distribution? Equal to
// scipy.stats.chi2_contingency([reference_counts, current_counts], correction=False) of SciPy
// 1.10.1 (Pearson's statistic on the 2 x k contingency table):
//   E_ij = R_i C_j / N,  statistic = Sum_ij (O_ij - E_ij)^2 / E_ij,  dof = k - 1,
//   p = chi2.sf(statistic, dof)  (ChiSquareSf).
// Deviations from SciPy, both deliberate:
//   - categories whose count is 0 on both sides are dropped first (they carry no information;
//     SciPy raises "expected frequencies has a zero element"); k counts the remaining ones;
//   - with one remaining category (or none) the table is degenerate: statistic 0, p-value 1,
//     dof 0 (SciPy's own answer when dof == 0).
// No Yates correction (SciPy's default correction=True applies it only when dof == 1; drift
// monitoring uses the uncorrected statistic so that the test does not change with k).
//
// Counts are doubles so that weighted counts work; integral counts below 2^53 give SciPy's
// values exactly. Errors: InvalidArgument when the two spans differ in length, a count is
// negative or not finite, or a side has no observations at all (SciPy raises).
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct ChiSquareTestResult {
  double statistic = 0.0;
  std::optional<double> p_value;  // always set
  std::string_view method;        // "pearson"
  int64_t dof = 0;                // categories used - 1
  int64_t categories_used = 0;    // categories with a non-zero count on some side
};

// reference_counts[i] and current_counts[i] are the counts of category i.
Result<ChiSquareTestResult> ChiSquareHomogeneityTest(std::span<const double> reference_counts,
                                                     std::span<const double> current_counts);

}  // namespace modelwatch
