#include "modelwatch/core/chi_square_homogeneity.h"

#include <cmath>
#include <string>
#include <vector>

#include "internal/pairwise_sum.h"
#include "modelwatch/core/special_functions.h"

namespace modelwatch {

Result<ChiSquareTestResult> ChiSquareHomogeneityTest(std::span<const double> reference_counts,
                                                     std::span<const double> current_counts) {
  if (reference_counts.size() != current_counts.size()) {
    return InvalidArgumentError(
        "chi2_contingency: 'reference' has " + std::to_string(reference_counts.size()) +
        " categories but 'current' has " + std::to_string(current_counts.size()));
  }
  const std::span<const double> sides[2] = {reference_counts, current_counts};
  const char* names[2] = {"reference", "current"};
  for (int s = 0; s < 2; ++s) {
    for (size_t i = 0; i < sides[s].size(); ++i) {
      const double c = sides[s][i];
      if (!std::isfinite(c) || c < 0) {
        return InvalidArgumentError(std::string("chi2_contingency: count ") + std::to_string(i) +
                                    " of '" + names[s] + "' must be finite and >= 0");
      }
    }
  }

  // The 2 x k table of the categories seen on either side, row-major like numpy's.
  std::vector<double> table[2];
  for (size_t i = 0; i < reference_counts.size(); ++i) {
    if (reference_counts[i] == 0 && current_counts[i] == 0) continue;
    table[0].push_back(reference_counts[i]);
    table[1].push_back(current_counts[i]);
  }
  const size_t k = table[0].size();
  double row_sum[2];
  for (int s = 0; s < 2; ++s) {
    row_sum[s] = internal::NumpySum(table[s]);
    if (row_sum[s] == 0) {
      return InvalidArgumentError(std::string("chi2_contingency: sample '") + names[s] +
                                  "' has no observations");
    }
  }

  ChiSquareTestResult r;
  r.method = "pearson";
  r.categories_used = static_cast<int64_t>(k);
  if (k <= 1) {
    r.statistic = 0.0;
    r.p_value = 1.0;
    r.dof = 0;
    return r;
  }
  std::vector<double> flat;
  flat.reserve(2 * k);
  for (int s = 0; s < 2; ++s) flat.insert(flat.end(), table[s].begin(), table[s].end());
  const double total = internal::NumpySum(flat);
  std::vector<double> terms(2 * k);
  for (int s = 0; s < 2; ++s) {
    for (size_t j = 0; j < k; ++j) {
      const double col_sum = table[0][j] + table[1][j];
      const double expected = row_sum[s] * col_sum / total;
      const double diff = table[s][j] - expected;
      terms[s * k + j] = diff * diff / expected;
    }
  }
  r.statistic = internal::NumpySum(terms);
  r.dof = static_cast<int64_t>(k) - 1;
  r.p_value = ChiSquareSf(r.statistic, static_cast<double>(r.dof));
  return r;
}

}  // namespace modelwatch
