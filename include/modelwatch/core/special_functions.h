// Special functions behind the drift tests' p-values, each matching the SciPy 1.10.1 function
// named beside it (same definition, same choice of algorithm per region, ~1e-13 relative where
// the value is above ~1e-300; docs/drift-tests.md lists the measured agreement).
//
// Arguments outside a function's domain give NaN, as SciPy does; none of these functions fails
// otherwise. Internally long double (x87 80-bit on x86-64) is used where double would lose digits
// to cancellation in a logarithm or a long sum.
// Thread safety: pure functions (no global state, no lgamma/signgam).
#pragma once

#include <cstdint>

namespace modelwatch {

// Standard normal survival function P(Z > z), as scipy.stats.norm.sf(z) == scipy.special.ndtr(-z)
// (Cephes ndtr: erf near 0, erfc in the tails, so deep tails keep full relative precision down to
// ~1e-308).
double NormalSf(double z);

// log Gamma(x) for x > 0 (Stirling series after shifting x >= 16; ~1e-17 absolute in long double).
// NaN for x <= 0 or NaN.
long double LogGamma(long double x);

// Regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a) for a > 0, x >= 0
// (scipy.special.gammaincc; Cephes igamc). Series for P = 1 - Q when x < a + 1, Legendre's
// continued fraction (modified Lentz) otherwise, both in long double; relative error ~1e-14 for
// a <= 1e6, including deep upper tails. NaN outside the domain.
double RegularizedGammaQ(double a, double x);

// Chi-square survival function with `dof` > 0 degrees of freedom, scipy.stats.chi2.sf(x, dof)
// == scipy.special.chdtrc(dof, x) == Q(dof / 2, x / 2); 1 for x <= 0.
double ChiSquareSf(double x, double dof);

// Modified Bessel function of the second kind K_nu(x) for real nu and x > 0 (scipy.special.kv).
// Temme's series for x <= 2, Steed's continued fraction (CF2, Thompson & Barnett 1987) above,
// forward recurrence in the order; see Temme (1975), J. Comput. Phys. 19, 324-337. Underflows to 0
// for large x (x > ~705), as SciPy. NaN for x < 0 or NaN input; +inf at x == 0.
double BesselK(double nu, double x);

// One-sided Kolmogorov-Smirnov (Smirnov) survival function P(D+_n >= d) for a sample of size n,
// scipy.special.smirnov(n, d): the Birnbaum-Tingey / Smirnov sum
//   d * sum_{v=0}^{floor(n(1-d))} C(n, v) (d + v/n)^(v-1) (1 - d - v/n)^(n-v),
// closed forms for d <= 1/n and d >= 1 - 1/n, 0 once -2 n d^2 < log(2^-1075), and SciPy's
// approximation exp(-(6nd+1)^2 / (18n)) for n > 1e6 (van Mulbregt 2018, arXiv:1802.06966).
// O(n) time where the sum is used. NaN for n <= 0 or d outside [0, 1].
double SmirnovSf(int64_t n, double d);

// Kolmogorov's limiting distribution, P(sqrt(n) D_n > x) as n -> inf:
// scipy.special.kolmogorov(x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2) (the theta-function form
// sqrt(2 pi)/x sum exp(-(2k-1)^2 pi^2 / (8 x^2)) for the cdf when x <= 0.82).
double KolmogorovLimitSf(double x);

// Two-sided one-sample Kolmogorov-Smirnov distribution: P(D_n >= d) for a sample of size n,
// scipy.stats.kstwo.sf(d, n). The algorithm per (n, d) is SciPy's (scipy/stats/_ksstats.py,
// after Simard & L'Ecuyer 2011, J. Stat. Softw. 39(11)):
//   n d <= 1 and n d >= n - 1: Ruben-Gambino closed forms;
//   d >= 0.5: 2 * SmirnovSf(n, d) (exact there);
//   n <= 140: Durbin's matrix (Marsaglia-Tsang-Wang 2003) when n d^2 <= 0.754693, Pomeranz's
//     recursion (1974) when n d^2 <= 4, else 2 * SmirnovSf;
//   n > 140: 0 when n d^2 >= 370, 2 * SmirnovSf when n d^2 >= 2.2, else 1 - cdf with the cdf from
//     Durbin's matrix (n <= 100000 and n d^1.5 <= 1.4) or the Pelz-Good (1976) expansion.
// 1 for d <= 0.5 / n, 0 for d >= 1. NaN for n <= 0 or NaN d.
double KolmogorovSmirnovSf(int64_t n, double d);

// Cumulative distribution function of the limiting (n -> inf) Cramer-von Mises statistic,
// SciPy's scipy.stats._hypotests._cdf_cvm_inf: the series of Csorgo & Faraway (1996), eq. 1.3,
//   sum_k Gamma(k + 1/2) / (Gamma(k + 1) pi^(3/2) sqrt(x)) sqrt(4k + 1) exp(-q) K_{1/4}(q),
//   q = (4k + 1)^2 / (16 x),
// summed until a term falls below 1e-7, exactly as SciPy (so it shares SciPy's ~1e-7 truncation;
// the p-value 1 - cdf is meaningful to ~1e-7 absolute). 0 for x <= 0.
double CramerVonMisesLimitCdf(double x);

}  // namespace modelwatch
