#include "modelwatch/core/kolmogorov_smirnov.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "modelwatch/core/sort_doubles.h"
#include "modelwatch/core/special_functions.h"
#include "modelwatch/core/two_sample_sweep.h"

namespace modelwatch {
namespace {

constexpr uint64_t kMaxAutoN = 10000;  // SciPy's MAX_AUTO_N

Status CheckSample(std::span<const double> sample, const char* name) {
  if (sample.empty()) {
    return InvalidArgumentError(std::string("ks_2samp: sample '") + name + "' is empty");
  }
  for (size_t i = 0; i < sample.size(); ++i) {
    if (std::isnan(sample[i])) {
      return InvalidArgumentError(std::string("ks_2samp: sample '") + name +
                                  "' contains NaN at index " + std::to_string(i));
    }
  }
  return Status::Ok();
}

// Pr(D_{n,n} >= h/n) by the reflection series 2 * (A0 (1 - A1 (1 - A2 (...)))), Horner-like,
// each A_k a product of h ratios (SciPy's _compute_prob_outside_square).
double ProbOutsideSquare(int64_t n, int64_t h) {
  double p = 0.0;
  int64_t k = static_cast<int64_t>(std::floor(static_cast<double>(n) / static_cast<double>(h)));
  while (k >= 0) {
    double p1 = 1.0;
    for (int64_t j = 0; j < h; ++j) {
      p1 = static_cast<double>(n - k * h - j) * p1 / static_cast<double>(n + k * h + j + 1);
    }
    p = p1 * (1.0 - p);
    --k;
  }
  return 2 * p;
}

// The proportion of lattice paths from (0,0) to (m,n) that do not stay strictly inside
// |x/m - y/n| < h/lcm(m,n), computed directly as 1 - (inside proportion) with Viehmann's
// recursion over a sliding window of one column (SciPy's _compute_outer_prob_inside_method).
double OuterProbInsideMethod(int64_t m, int64_t n, int64_t g, int64_t h) {
  if (m < n) std::swap(m, n);
  const int64_t mg = m / g;
  const int64_t ng = n / g;
  const double dh = static_cast<double>(h), dmg = static_cast<double>(mg);
  int64_t minj = 0;
  int64_t maxj = std::min(static_cast<int64_t>(std::ceil(dh / dmg)), n + 1);
  int64_t curlen = maxj - minj;
  const int64_t len_a = std::min(2 * maxj + 2, n + 1);
  std::vector<double> a(static_cast<size_t>(len_a), 1.0);
  std::fill(a.begin() + minj, a.begin() + maxj, 0.0);
  for (int64_t i = 1; i <= m; ++i) {
    const int64_t lastminj = minj, lastlen = curlen;
    minj = std::max<int64_t>(
        static_cast<int64_t>(std::floor(static_cast<double>(ng * i - h) / dmg)) + 1, 0);
    minj = std::min(minj, n);
    maxj = std::min(static_cast<int64_t>(std::ceil(static_cast<double>(ng * i + h) / dmg)), n + 1);
    if (maxj <= minj) return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    // Integers below 2^53 are exact doubles, so dj and di + dj equal SciPy's j and i + j.
    const double di = static_cast<double>(i);
    double dj = static_cast<double>(minj);
    const double* src = a.data() + (minj - lastminj);
    for (int64_t jj = 0; jj < maxj - minj; ++jj, dj += 1.0) {
      val = (src[jj] * di + val * dj) / (di + dj);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      std::fill(a.begin() + (maxj - minj), a.begin() + (maxj - minj + (lastlen - curlen)), 1.0);
    }
  }
  return a[maxj - minj - 1];
}

}  // namespace

KsStatistic KolmogorovSmirnovStatisticSorted(std::span<const double> reference_sorted,
                                             std::span<const double> current_sorted) {
  return CompareSortedSamples(reference_sorted, current_sorted, /*ks=*/true, /*wasserstein=*/false)
      .ks;
}

KsTestResult KolmogorovSmirnovPValue(double d, uint64_t n_reference, uint64_t n_current,
                                     KsMethod method) {
  assert(n_reference > 0 && n_current > 0 && d >= 0 && d <= 1);
  KsTestResult r;
  r.statistic = d;
  r.n_reference = n_reference;
  r.n_current = n_current;
  if (n_reference == 0 || n_current == 0 || !(d >= 0 && d <= 1)) {  // precondition violated
    r.p_value = std::numeric_limits<double>::quiet_NaN();
    r.method = "invalid";
    return r;
  }
  const int64_t n1 = static_cast<int64_t>(n_reference);
  const int64_t n2 = static_cast<int64_t>(n_current);
  const int64_t g = std::gcd(n1, n2);
  const int64_t n1g = n1 / g, n2g = n2 / g;
  bool exact;
  switch (method) {
    case KsMethod::kAuto:
      exact = std::max(n_reference, n_current) <= kMaxAutoN;
      break;
    case KsMethod::kExact:
      exact = static_cast<double>(n1g) <
              static_cast<double>(std::numeric_limits<int32_t>::max()) / static_cast<double>(n2g);
      break;
    case KsMethod::kAsymptotic:
    default:
      exact = false;
      break;
  }
  double prob = 0.0;
  if (exact) {
    const int64_t lcm = n1g * n2;
    const int64_t h = static_cast<int64_t>(std::nearbyint(d * static_cast<double>(lcm)));
    d = static_cast<double>(h) / static_cast<double>(lcm);
    r.statistic = d;
    if (h == 0) {
      prob = 1.0;
    } else if (n1 == n2) {
      prob = ProbOutsideSquare(n1, h);
    } else {
      prob = OuterProbInsideMethod(n1, n2, g, h);
    }
    if (!(0 <= prob && prob <= 1)) {
      exact = false;
      r.exact_fell_back = true;
    }
  }
  if (exact) {
    r.method = "exact";
  } else {
    // Smirnov's asymptotic: the one-sample two-sided distribution at the effective sample size.
    const double m = static_cast<double>(std::max(n1, n2));
    const double n = static_cast<double>(std::min(n1, n2));
    const double en = m * n / (m + n);
    prob = KolmogorovSmirnovSf(static_cast<int64_t>(std::nearbyint(en)), d);
    r.method = "asymp";
  }
  r.p_value = std::clamp(prob, 0.0, 1.0);
  return r;
}

Result<KsTestResult> KolmogorovSmirnovTestSorted(std::span<const double> reference_sorted,
                                                 std::span<const double> current_sorted,
                                                 KsMethod method) {
  MW_RETURN_IF_ERROR(CheckSample(reference_sorted, "reference"));
  MW_RETURN_IF_ERROR(CheckSample(current_sorted, "current"));
  return KolmogorovSmirnovTestOfStatistic(
      KolmogorovSmirnovStatisticSorted(reference_sorted, current_sorted), reference_sorted.size(),
      current_sorted.size(), method);
}

KsTestResult KolmogorovSmirnovTestOfStatistic(const KsStatistic& statistic, uint64_t n_reference,
                                              uint64_t n_current, KsMethod method) {
  KsTestResult r = KolmogorovSmirnovPValue(statistic.d, n_reference, n_current, method);
  r.statistic_location = statistic.location;
  r.statistic_sign = statistic.sign;
  return r;
}

Result<KsTestResult> KolmogorovSmirnovTest(std::span<const double> reference,
                                           std::span<const double> current, KsMethod method) {
  MW_RETURN_IF_ERROR(CheckSample(reference, "reference"));
  MW_RETURN_IF_ERROR(CheckSample(current, "current"));
  std::vector<double> a, b;  // copies only when a side is not sorted yet
  return KolmogorovSmirnovTestSorted(SortedView(reference, &a), SortedView(current, &b), method);
}

}  // namespace modelwatch
