// Multiple-testing adjustment of the per-column drift p-values of one window, so that "some
// column drifted" keeps its intended error rate when many columns are tested at once.
//
// Both functions return adjusted p-values in the input order; compare them with the unadjusted
// significance level (reject where adjusted <= alpha).
//   Bonferroni: min(1, m p_i). Controls the family-wise error rate under any dependence.
//   Benjamini-Hochberg (1995, JRSS B 57(1)): with p_(1) <= ... <= p_(m) sorted,
//     adj_(i) = min(1, min_{j >= i} m p_(j) / j)   (step-up, cumulative minimum from the top),
//     as statsmodels.stats.multitest.multipletests(method='fdr_bh') and
//     scipy.stats.false_discovery_control (SciPy >= 1.11). Controls the false discovery rate for
//     independent or positively dependent tests.
// An empty input gives an empty output. Errors: InvalidArgument for a p-value outside [0, 1] or
// NaN (naming its index).
// Thread safety: pure functions.
#pragma once

#include <span>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch {

Result<std::vector<double>> BonferroniAdjust(std::span<const double> p_values);

Result<std::vector<double>> BenjaminiHochbergAdjust(std::span<const double> p_values);

}  // namespace modelwatch
