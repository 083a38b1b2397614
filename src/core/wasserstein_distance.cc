#include "modelwatch/core/wasserstein_distance.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "internal/pairwise_sum.h"
#include "modelwatch/core/sort_doubles.h"
#include "modelwatch/core/two_sample_sweep.h"

namespace modelwatch {
namespace {

// One side, sorted, with its cumulative weights (cumw[0] = 0, cumw[i] = weight of the i smallest
// values, accumulated left to right like np.cumsum); cumw is empty when unweighted.
// Move-only: `values` may point into `storage`, whose buffer a move keeps and a copy would not.
struct SortedSide {
  SortedSide() = default;
  SortedSide(SortedSide&&) = default;
  SortedSide& operator=(SortedSide&&) = default;
  SortedSide(const SortedSide&) = delete;
  SortedSide& operator=(const SortedSide&) = delete;

  std::span<const double> values;  // the caller's values when already sorted, else `storage`
  std::vector<double> storage;
  std::vector<double> cumw;
};

Result<SortedSide> Prepare(std::span<const double> values, const double* weights,
                           const char* name) {
  if (values.empty()) {
    return InvalidArgumentError(std::string("wasserstein_distance: sample '") + name +
                                "' is empty");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return InvalidArgumentError(std::string("wasserstein_distance: sample '") + name +
                                  "' has a non-finite value at index " + std::to_string(i));
    }
  }
  SortedSide side;
  if (weights == nullptr) {
    side.values = SortedView(values, &side.storage);
    return side;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      return InvalidArgumentError(std::string("wasserstein_distance: weight ") + std::to_string(i) +
                                  " of '" + name + "' must be finite and >= 0");
    }
  }
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] < values[b]; });
  side.storage.resize(values.size());
  side.values = side.storage;
  side.cumw.resize(values.size() + 1);
  side.cumw[0] = 0.0;
  for (size_t i = 0; i < order.size(); ++i) {
    side.storage[i] = values[order[i]];
    side.cumw[i + 1] = side.cumw[i] + weights[order[i]];
  }
  if (!(side.cumw.back() > 0) || !std::isfinite(side.cumw.back())) {
    return InvalidArgumentError(std::string("wasserstein_distance: the weights of '") + name +
                                "' must have a positive, finite sum");
  }
  return side;
}

// SciPy's _cdf_distance with p = 1: over all_values = sort(concatenate(u, v)), the sum of
// |U(x_t) - V(x_t)| * (x_{t+1} - x_t), where U and V are the CDFs (searchsorted 'right'), added
// in numpy's pairwise order. Unweighted: CompareSortedSamples. Weighted: the merged sequence (u
// first among equal values) and the terms are generated on the fly, in order, for the pairwise
// sum; U and V are taken after x_t itself, which at the last of equal values is searchsorted's
// count, and before it the term is |...| * (+-0.0) whatever the count.
double CdfDistance(const SortedSide& u, const SortedSide& v) {
  if (u.cumw.empty() && v.cumw.empty()) {
    return CompareSortedSamples(u.values, v.values, /*ks=*/false, /*wasserstein=*/true).wasserstein;
  }
  auto cdf = [](const SortedSide& side, size_t count) {
    return side.cumw.empty() ? static_cast<double>(count) / static_cast<double>(side.values.size())
                             : side.cumw[count] / side.cumw.back();
  };
  const std::span<const double> a = u.values, b = v.values;
  size_t ia = 0, ib = 0;  // taken, x included
  auto take = [&]() {
    const bool from_a = ib == b.size() || (ia < a.size() && !(b[ib] < a[ia]));
    return from_a ? a[ia++] : b[ib++];
  };
  double x = take();
  auto term = [&](size_t) {
    const double ucdf = cdf(u, ia), vcdf = cdf(v, ib);
    const double next = take();
    const double t = std::fabs(ucdf - vcdf) * (next - x);
    x = next;
    return t;
  };
  return internal::NumpyPairwiseSum(a.size() + b.size() - 1, term);
}

Status CheckMinScale(double min_scale) {
  if (!(std::isfinite(min_scale) && min_scale > 0)) {
    return InvalidArgumentError("wasserstein_distance: min_scale must be finite and > 0, got " +
                                std::to_string(min_scale));
  }
  return Status::Ok();
}

// The normalized distance and KS statistic of two sorted samples, given std(reference).
NormalizedWassersteinAndKs NormalizedOfSorted(std::span<const double> u, std::span<const double> v,
                                              double std_dev, double min_scale, bool ks) {
  const SortedSampleComparison sweep = CompareSortedSamples(u, v, ks, true);
  NormalizedWassersteinAndKs r;
  r.wasserstein.method = "wasserstein_normed";
  r.wasserstein.distance = sweep.wasserstein;
  r.wasserstein.scale = std::max(std_dev, min_scale);
  r.wasserstein.statistic = r.wasserstein.distance / r.wasserstein.scale;
  r.ks = sweep.ks;
  return r;
}

// NormalizedWassersteinDistance, with the KS statistic of the same pass when `ks`.
Result<NormalizedWassersteinAndKs> Normalized(std::span<const double> reference,
                                              std::span<const double> current, double min_scale,
                                              bool ks) {
  MW_RETURN_IF_ERROR(CheckMinScale(min_scale));
  MW_ASSIGN_OR_RETURN(SortedSide u, Prepare(reference, nullptr, "reference"));
  MW_ASSIGN_OR_RETURN(SortedSide v, Prepare(current, nullptr, "current"));
  // numpy.std(reference), ddof = 0: two passes with numpy's pairwise sums, in input order.
  const double n = static_cast<double>(reference.size());
  const double mean = internal::NumpySum(reference) / n;
  const double ss = internal::NumpyPairwiseSum(reference.size(), [&](size_t i) {
    const double d = reference[i] - mean;
    return d * d;
  });
  return NormalizedOfSorted(u.values, v.values, std::sqrt(ss / n), min_scale, ks);
}

}  // namespace

Result<DistanceResult> WassersteinDistance(std::span<const double> u_values,
                                           std::span<const double> v_values) {
  MW_ASSIGN_OR_RETURN(SortedSide u, Prepare(u_values, nullptr, "u"));
  MW_ASSIGN_OR_RETURN(SortedSide v, Prepare(v_values, nullptr, "v"));
  return DistanceResult{CdfDistance(u, v), std::nullopt, "wasserstein"};
}

Result<DistanceResult> WassersteinDistance(std::span<const double> u_values,
                                           std::span<const double> u_weights,
                                           std::span<const double> v_values,
                                           std::span<const double> v_weights) {
  if (u_weights.size() != u_values.size() || v_weights.size() != v_values.size()) {
    return InvalidArgumentError(
        "wasserstein_distance: value and weight arrays of a sample must have the same size");
  }
  MW_ASSIGN_OR_RETURN(SortedSide u, Prepare(u_values, u_weights.data(), "u"));
  MW_ASSIGN_OR_RETURN(SortedSide v, Prepare(v_values, v_weights.data(), "v"));
  return DistanceResult{CdfDistance(u, v), std::nullopt, "wasserstein"};
}

Result<NormalizedWassersteinAndKs> NormalizedWassersteinDistanceAndKs(
    std::span<const double> reference, std::span<const double> current, double min_scale) {
  return Normalized(reference, current, min_scale, /*ks=*/true);
}

Result<NormalizedWassersteinAndKs> NormalizedWassersteinDistanceAndKsSorted(
    std::span<const double> reference_sorted, std::span<const double> current_sorted,
    double reference_std, double min_scale) {
  MW_RETURN_IF_ERROR(CheckMinScale(min_scale));
  if (reference_sorted.empty() || current_sorted.empty()) {
    return InvalidArgumentError(std::string("wasserstein_distance: sample '") +
                                (reference_sorted.empty() ? "reference" : "current") +
                                "' is empty");
  }
  if (!(std::isfinite(reference_std) && reference_std >= 0)) {
    return InvalidArgumentError("wasserstein_distance: reference_std must be finite and >= 0, got " +
                                std::to_string(reference_std));
  }
  assert(std::is_sorted(reference_sorted.begin(), reference_sorted.end()));
  assert(std::is_sorted(current_sorted.begin(), current_sorted.end()));
  return NormalizedOfSorted(reference_sorted, current_sorted, reference_std, min_scale, true);
}

Result<NormalizedWassersteinResult> NormalizedWassersteinDistance(std::span<const double> reference,
                                                                  std::span<const double> current,
                                                                  double min_scale) {
  MW_ASSIGN_OR_RETURN(NormalizedWassersteinAndKs r,
                      Normalized(reference, current, min_scale, /*ks=*/false));
  return r.wasserstein;
}

}  // namespace modelwatch
