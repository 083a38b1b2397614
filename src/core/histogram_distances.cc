#include "modelwatch/core/histogram_distances.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "internal/pairwise_sum.h"

namespace modelwatch {
namespace {

// The two count vectors normalised to proportions, p = counts / np.sum(counts).
struct Proportions {
  std::vector<double> p;
  std::vector<double> q;
};

Result<Proportions> Normalize(std::span<const double> reference_counts,
                              std::span<const double> current_counts, const char* what) {
  if (reference_counts.size() != current_counts.size()) {
    return InvalidArgumentError(std::string(what) + ": 'reference' has " +
                                std::to_string(reference_counts.size()) +
                                " bins but 'current' has " + std::to_string(current_counts.size()));
  }
  if (reference_counts.empty()) return InvalidArgumentError(std::string(what) + ": no bins");
  const std::span<const double> sides[2] = {reference_counts, current_counts};
  const char* names[2] = {"reference", "current"};
  Proportions out;
  std::vector<double>* dest[2] = {&out.p, &out.q};
  for (int s = 0; s < 2; ++s) {
    for (size_t i = 0; i < sides[s].size(); ++i) {
      if (!std::isfinite(sides[s][i]) || sides[s][i] < 0) {
        return InvalidArgumentError(std::string(what) + ": count " + std::to_string(i) + " of '" +
                                    names[s] + "' must be finite and >= 0");
      }
    }
    const double total = internal::NumpySum(sides[s]);
    if (!(total > 0) || !std::isfinite(total)) {
      return InvalidArgumentError(std::string(what) + ": sample '" + names[s] +
                                  "' has no observations");
    }
    dest[s]->resize(sides[s].size());
    for (size_t i = 0; i < sides[s].size(); ++i) (*dest[s])[i] = sides[s][i] / total;
  }
  return out;
}

// scipy.special.rel_entr(x, y): x ln(x / y), 0 for x == 0 <= y, +inf otherwise.
double RelativeEntropy(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
  if (x > 0 && y > 0) return x * std::log(x / y);
  if (x == 0 && y >= 0) return 0.0;
  return std::numeric_limits<double>::infinity();
}

}  // namespace

Result<DistanceResult> PopulationStabilityIndex(std::span<const double> reference_counts,
                                                std::span<const double> current_counts,
                                                double empty_bin_fill) {
  if (!(empty_bin_fill > 0 && empty_bin_fill <= 1)) {
    return InvalidArgumentError("psi: empty_bin_fill must be in (0, 1], got " +
                                std::to_string(empty_bin_fill));
  }
  MW_ASSIGN_OR_RETURN(Proportions pr, Normalize(reference_counts, current_counts, "psi"));
  double psi = 0.0;
  for (size_t i = 0; i < pr.p.size(); ++i) {
    const double ref = pr.p[i] == 0 ? empty_bin_fill : pr.p[i];
    const double cur = pr.q[i] == 0 ? empty_bin_fill : pr.q[i];
    psi += (ref - cur) * std::log(ref / cur);
  }
  return DistanceResult{psi, std::nullopt, "psi"};
}

Result<DistanceResult> JensenShannonDistance(std::span<const double> reference_counts,
                                             std::span<const double> current_counts,
                                             std::optional<double> base) {
  if (base.has_value() && !(std::isfinite(*base) && *base > 0 && *base != 1)) {
    return InvalidArgumentError("jensenshannon: base must be finite, > 0 and != 1, got " +
                                std::to_string(*base));
  }
  MW_ASSIGN_OR_RETURN(Proportions pr, Normalize(reference_counts, current_counts, "jensenshannon"));
  const size_t n = pr.p.size();
  std::vector<double> m(n);
  for (size_t i = 0; i < n; ++i) m[i] = (pr.p[i] + pr.q[i]) / 2.0;
  const double left =
      internal::NumpyPairwiseSum(n, [&](size_t i) { return RelativeEntropy(pr.p[i], m[i]); });
  const double right =
      internal::NumpyPairwiseSum(n, [&](size_t i) { return RelativeEntropy(pr.q[i], m[i]); });
  double js = left + right;
  if (base.has_value()) js /= std::log(*base);
  // Rounding can leave a tiny negative sum for nearly equal inputs (SciPy then returns NaN).
  if (js < 0) js = 0;
  return DistanceResult{std::sqrt(js / 2.0), std::nullopt, "jensenshannon"};
}

Result<DistanceResult> HellingerDistance(std::span<const double> reference_counts,
                                         std::span<const double> current_counts) {
  MW_ASSIGN_OR_RETURN(Proportions pr, Normalize(reference_counts, current_counts, "hellinger"));
  const double sum = internal::NumpyPairwiseSum(pr.p.size(), [&](size_t i) {
    const double d = std::sqrt(pr.p[i]) - std::sqrt(pr.q[i]);
    return d * d;
  });
  return DistanceResult{std::sqrt(sum) / std::sqrt(2.0), std::nullopt, "hellinger"};
}

}  // namespace modelwatch
