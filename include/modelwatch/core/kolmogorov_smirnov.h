// Two-sample Kolmogorov-Smirnov test (two-sided), equal to scipy.stats.ks_2samp(reference,
// current) of SciPy 1.10.1 with alternative='two-sided': statistic, p-value, and the location and
// sign of the statistic.
//
// Statistic: D = sup_x |F_ref(x) - F_cur(x)| over the empirical distribution functions, evaluated
// at every observation as SciPy does (so ties are handled exactly). With method kAuto (SciPy's
// 'auto') the p-value is
//   - exact when max(n_ref, n_cur) <= 10000: P(D >= d) under the null computed on the lattice of
//     the two samples (Hodges 1958): for n_ref == n_cur the reflection series of
//     _compute_prob_outside_square, otherwise Viehmann's (2021, arXiv:2102.08037) recursion for
//     1 - P of _compute_outer_prob_inside_method. As in SciPy, d is first rounded to the lattice,
//     d = round(d * lcm) / lcm, and that rounded d is the reported statistic. If the exact
//     computation fails (result outside [0, 1]; it happens for equal sizes and a tiny h, e.g.
//     5 vs 5 with d = 0.2) the asymptotic method is used instead, like SciPy's fallback with a
//     RuntimeWarning, and `exact_fell_back` is set.
//   - asymptotic ('asymp') otherwise: kstwo.sf(d, round(n_ref n_cur / (n_ref + n_cur))), the
//     one-sample two-sided distribution at the effective size (special_functions.h).
// The test assumes continuous distributions; with ties the p-value is conservative.
//
// Errors: InvalidArgument for an empty sample or a NaN value (SciPy does not reject NaN but then
// returns meaningless results). +-inf are ordinary, orderable values here.
// Cost: O(n log n) to sort; the exact p-value costs O(n) for equal sizes and
// O(max(n) * min(min(n), 2 d min(n))) serial divisions otherwise (80 ms at 10000 x 9999 with
// d = 0.03, ~0.5 s at d = 0.4, as SciPy's compiled code).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

// How the p-value is computed: kAuto = exact up to 10000 observations per sample, else asymptotic
// (SciPy's method='auto'); kExact = exact unless lcm(n_ref, n_cur) is too large (n_ref/g >=
// INT32_MAX / (n_cur/g), then asymptotic, as SciPy); kAsymptotic always asymptotic.
enum class KsMethod { kAuto, kExact, kAsymptotic };

// The statistic alone, as ks_2samp defines it.
struct KsStatistic {
  double d = 0.0;         // sup |F_ref - F_cur|, in [0, 1]
  double location = 0.0;  // the observation where the sup is attained (first one, SciPy's order)
  int sign = 1;           // +1 if F_ref > F_cur there, -1 otherwise (SciPy's statistic_sign)
};

struct KsTestResult {
  double statistic = 0.0;         // d (rounded to the lattice when the exact p-value was used)
  std::optional<double> p_value;  // always set
  std::string_view method;        // "exact" or "asymp", the method actually used
  double statistic_location = 0.0;
  int statistic_sign = 1;
  bool exact_fell_back = false;  // exact was attempted and failed; asymptotic used instead
  uint64_t n_reference = 0;
  uint64_t n_current = 0;
};

// The full test on unsorted samples (copied and sorted inside).
Result<KsTestResult> KolmogorovSmirnovTest(std::span<const double> reference,
                                           std::span<const double> current,
                                           KsMethod method = KsMethod::kAuto);

// The same on samples the caller already sorted ascending (no copy, O(n)); NaN is rejected.
// Unsorted input is a programmer error (asserts in debug builds, meaningless result otherwise).
Result<KsTestResult> KolmogorovSmirnovTestSorted(std::span<const double> reference_sorted,
                                                 std::span<const double> current_sorted,
                                                 KsMethod method = KsMethod::kAuto);

// The test for a statistic that KolmogorovSmirnovStatisticSorted (or CompareSortedSamples,
// two_sample_sweep.h) computed on samples of sizes n_reference and n_current (>= 1): the p-value
// part as KolmogorovSmirnovPValue, with the statistic's location and sign, i.e. what
// KolmogorovSmirnovTestSorted returns for those samples.
KsTestResult KolmogorovSmirnovTestOfStatistic(const KsStatistic& statistic, uint64_t n_reference,
                                              uint64_t n_current,
                                              KsMethod method = KsMethod::kAuto);

// The statistic of two non-empty, sorted, NaN-free samples, in O(n_ref + n_cur).
KsStatistic KolmogorovSmirnovStatisticSorted(std::span<const double> reference_sorted,
                                             std::span<const double> current_sorted);

// The p-value part alone, for a statistic d in [0, 1] computed elsewhere (e.g. from sketches of
// sizes n_ref and n_cur >= 1). Returns statistic (possibly lattice-rounded), p_value and method;
// location and sign are left at their defaults. Violated preconditions are programmer errors
// (assert in debug builds; a NaN p-value and method "invalid" otherwise).
KsTestResult KolmogorovSmirnovPValue(double d, uint64_t n_reference, uint64_t n_current,
                                     KsMethod method = KsMethod::kAuto);

}  // namespace modelwatch
