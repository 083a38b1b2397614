// One pass over two sorted samples in merged order: what the exact two-sample statistics built on
// the empirical distribution functions share. The Kolmogorov-Smirnov statistic
// (kolmogorov_smirnov.h) and the first Wasserstein distance W1 (wasserstein_distance.h) are both
// functionals of F_a - F_b over the pooled sample; drift computes both for a numeric column (the
// test and its effect size), and the merged pass is most of the cost of each, so one pass serves
// both.
//
// Results are bit-identical to SciPy's (1.10.1) definitions as implemented in those two files:
//   - ks: cddiffs = F_a(x) - F_b(x), F(x) = searchsorted(sorted, x, 'right') / n, at every x of
//     concatenate(a, b); the supremum, the first observation where it is attained (a before b)
//     and its sign (KolmogorovSmirnovStatisticSorted);
//   - wasserstein: sum over the merged values z_t of |F_a(z_t) - F_b(z_t)| (z_{t+1} - z_t), added
//     in numpy's pairwise order (scipy.stats.wasserstein_distance, unweighted).
//
// How: the merged order is computed first as one byte per pooled value (which side it comes
// from), by four independent merges of equal parts of the output (split by binary search on the
// "merge path"), which run interleaved, so the CPU overlaps their compare-and-load chains; then
// one pass over those bytes evaluates each F at every value with one division. O(n_a + n_b) time,
// n_a + n_b bytes of scratch.
//
// Preconditions (programmer errors; assert in debug builds): both samples non-empty and sorted
// ascending (SortDoubles), no NaN; finite values when the distance is asked for (the callers
// validate their inputs).
// Thread safety: pure function.
#pragma once

#include <span>

#include "modelwatch/core/kolmogorov_smirnov.h"

namespace modelwatch {

struct SortedSampleComparison {
  KsStatistic ks;            // when asked for
  double wasserstein = 0.0;  // W1, when asked for
};

SortedSampleComparison CompareSortedSamples(std::span<const double> a_sorted,
                                            std::span<const double> b_sorted, bool ks,
                                            bool wasserstein);

}  // namespace modelwatch
