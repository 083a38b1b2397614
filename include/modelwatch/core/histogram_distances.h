// Distances between two discrete distributions given as counts over the same bins (histogram
// bins of a numeric column, or categories): Population Stability Index, Jensen-Shannon distance
// and Hellinger distance. reference_counts[i] and current_counts[i] belong to bin i; each side is
// normalised by its own total, p_i = reference_counts[i] / sum(reference_counts), q_i likewise.
//
// Errors (all three): InvalidArgument when the spans differ in length or are empty, a count is
// negative or not finite, or a side sums to 0.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

// A distance has no null distribution: p_value is always nullopt (the field exists so that tests
// and distances read alike).
struct DistanceResult {
  double statistic = 0.0;
  std::optional<double> p_value;
  std::string_view method;  // "psi", "jensenshannon", "hellinger", "wasserstein", ...
};

// Population Stability Index, as Evidently computes it (evidently/calculations/stattests/psi.py):
//   PSI = Sum_i (p_i - q_i) ln(p_i / q_i)   (= Sum_i (q_i - p_i) ln(q_i / p_i)),
// where a proportion equal to 0 is first replaced by `empty_bin_fill` (Evidently: 1e-4), so that
// empty bins contribute a large but finite amount. The terms are added left to right (Python's
// sum()). Common reading: < 0.1 no shift, 0.1-0.25 moderate, > 0.25 major (Siddiqi 2006, "Credit
// Risk Scorecards"). InvalidArgument also when empty_bin_fill is not in (0, 1].
Result<DistanceResult> PopulationStabilityIndex(std::span<const double> reference_counts,
                                                std::span<const double> current_counts,
                                                double empty_bin_fill = 1e-4);

// Jensen-Shannon distance, scipy.spatial.distance.jensenshannon(p, q, base) of SciPy 1.10.1:
//   m = (p + q) / 2,  JS = sqrt((KL(p || m) + KL(q || m)) / (2 ln(base))),
// with natural logarithms when base is nullopt (then JS is in [0, sqrt(ln 2)]); base 2 bounds it
// by 1. KL terms use scipy.special.rel_entr (0 ln 0 = 0); sums follow numpy's pairwise order.
// One deviation: a sum that rounds to a tiny negative number for nearly equal inputs gives 0
// where SciPy returns NaN.
// Lin (1991), "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37(1);
// Endres & Schindelin (2003) for the metric. InvalidArgument also for a base that is not finite,
// <= 0, or 1.
Result<DistanceResult> JensenShannonDistance(std::span<const double> reference_counts,
                                             std::span<const double> current_counts,
                                             std::optional<double> base = std::nullopt);

// Hellinger distance H = sqrt(Sum_i (sqrt(p_i) - sqrt(q_i))^2) / sqrt(2), in [0, 1] (0 for equal
// distributions, 1 for disjoint supports). Hellinger (1909); as in Evidently's hellinger_distance
// stat test (up to its binning).
Result<DistanceResult> HellingerDistance(std::span<const double> reference_counts,
                                         std::span<const double> current_counts);

}  // namespace modelwatch
