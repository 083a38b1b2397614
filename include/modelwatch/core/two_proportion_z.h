// Two-proportion Z test (pooled variance, two-sided) for a binary column: is the share of
// positives in the current window different from the reference?
//
//   p_ref = x_ref / n_ref,  p_cur = x_cur / n_cur,  p = (x_ref + x_cur) / (n_ref + n_cur),
//   z = (p_cur - p_ref) / sqrt(p (1 - p) (1/n_ref + 1/n_cur)),
//   p-value = 2 * P(Z > |z|) = 2 * scipy.stats.norm.sf(|z|).
// This is statsmodels' proportions_ztest(count, nobs) with the pooled variance (the default) and
// Evidently's z-test up to the sign convention (Evidently reports p_ref - p_cur) and the tail:
// Evidently evaluates 2 (1 - cdf(|z|)), which rounds to 0 below ~1e-16; the survival function
// keeps deep-tail p-values (down to ~1e-308) accurate.
// Degenerate case: when the pooled proportion is 0 or 1 (every observation on both sides is
// negative, or every one positive) the variance is 0 and z is undefined (0/0 in Evidently and
// statsmodels); both windows then agree exactly, so the result is statistic 0, p-value 1.
//
// Errors: InvalidArgument when a side has no observations or more positives than observations.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct ProportionZTestResult {
  double statistic = 0.0;         // z
  std::optional<double> p_value;  // always set
  std::string_view method;        // "pooled_z"
  double reference_proportion = 0.0;
  double current_proportion = 0.0;
};

Result<ProportionZTestResult> TwoProportionZTest(uint64_t reference_positives,
                                                 uint64_t reference_total,
                                                 uint64_t current_positives,
                                                 uint64_t current_total);

}  // namespace modelwatch
