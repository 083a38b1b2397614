// First Wasserstein (earth mover's) distance between two one-dimensional empirical
// distributions, equal to scipy.stats.wasserstein_distance(u, v[, u_weights, v_weights]) of SciPy
// 1.10.1:
//   W1 = integral |F_u(x) - F_v(x)| dx = Sum_t |F_u(z_t) - F_v(z_t)| (z_{t+1} - z_t)
// over the sorted pooled values z (Ramdas, Garcia & Cuturi 2017, "On Wasserstein two-sample
// testing and related families of nonparametric tests", Entropy 19(2)). The sum follows numpy's
// pairwise order, so unweighted results are bit-identical to SciPy's.
// The weighted form takes non-negative weights per value (for values reconstructed from sketches:
// quantiles or centroids with their masses); F is the cumulative weight divided by the total.
//
// Normalized form (Evidently's "wasserstein" stat test): W1 / max(std(reference), min_scale),
// with std the population standard deviation (numpy.std, ddof = 0) and min_scale = 0.001, so the
// distance is in units of the reference's spread (Evidently's default drift threshold is 0.1).
//
// Errors: InvalidArgument when a sample is empty, a value is NaN or infinite (SciPy returns NaN or
// inf), weights differ in length from their values, a weight is negative or not finite, or the
// weights sum to 0. Cost O(n log n).
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "modelwatch/core/histogram_distances.h"
#include "modelwatch/core/kolmogorov_smirnov.h"
#include "modelwatch/core/status.h"

namespace modelwatch {

// Unweighted: every value weighs 1 / size.
Result<DistanceResult> WassersteinDistance(std::span<const double> u_values,
                                           std::span<const double> v_values);

// Weighted: u_weights[i] belongs to u_values[i].
Result<DistanceResult> WassersteinDistance(std::span<const double> u_values,
                                           std::span<const double> u_weights,
                                           std::span<const double> v_values,
                                           std::span<const double> v_weights);

struct NormalizedWassersteinResult {
  double statistic = 0.0;         // distance / scale
  std::optional<double> p_value;  // always nullopt
  std::string_view method;        // "wasserstein_normed"
  double distance = 0.0;          // W1
  double scale = 0.0;             // max(std(reference), min_scale)
};

// W1(reference, current) / max(std(reference), min_scale). InvalidArgument also for a min_scale
// that is not finite and > 0.
Result<NormalizedWassersteinResult> NormalizedWassersteinDistance(std::span<const double> reference,
                                                                  std::span<const double> current,
                                                                  double min_scale = 0.001);

// NormalizedWassersteinDistance and, from the same pass over the merged samples, their
// Kolmogorov-Smirnov statistic (as KolmogorovSmirnovStatisticSorted): drift's KS test reports
// the normalized distance as its effect size. Errors as NormalizedWassersteinDistance's.
struct NormalizedWassersteinAndKs {
  NormalizedWassersteinResult wasserstein;
  KsStatistic ks;
};
Result<NormalizedWassersteinAndKs> NormalizedWassersteinDistanceAndKs(
    std::span<const double> reference, std::span<const double> current, double min_scale = 0.001);

// The same for samples already sorted ascending and finite (both checked only by assert) whose
// reference standard deviation the caller has: numpy.std(reference_sorted), ddof = 0, two passes
// of numpy's pairwise sums over the sorted values, which is what the call above computes (a
// dataset's raw columns: LoadDataset sorts them and their profile holds that deviation). Skips
// the checks, the sort test and the deviation's two passes: the same result, bit for bit, when
// reference_std is that deviation. InvalidArgument for an empty sample, a bad min_scale or a
// reference_std that is negative or not finite.
Result<NormalizedWassersteinAndKs> NormalizedWassersteinDistanceAndKsSorted(
    std::span<const double> reference_sorted, std::span<const double> current_sorted,
    double reference_std, double min_scale = 0.001);

}  // namespace modelwatch
