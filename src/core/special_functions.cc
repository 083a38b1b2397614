#include "modelwatch/core/special_functions.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "internal/pairwise_sum.h"

namespace modelwatch {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = std::numbers::pi;
constexpr long double kPiL = std::numbers::pi_v<long double>;

double Clip01(double p) { return std::clamp(p, 0.0, 1.0); }

// ---------------------------------------------------------------------------------------------
// Normal distribution (Cephes ndtr).

double NormalCdf(double a) {
  if (std::isnan(a)) return kNaN;
  constexpr double kSqrt1_2 = 0.70710678118654752440;
  const double x = a * kSqrt1_2;
  const double z = std::fabs(x);
  if (z < kSqrt1_2) return 0.5 + 0.5 * std::erf(x);
  const double y = 0.5 * std::erfc(z);
  return x > 0 ? 1.0 - y : y;
}

// ---------------------------------------------------------------------------------------------
// Smirnov (one-sided) helpers.

// (1 + b)^m in long double, for m >= 0 and b > -1.
long double PowOnePlus(long double b, int64_t m) {
  if (m == 0) return 1.0L;
  return std::exp(static_cast<long double>(m) * std::log1p(b));
}

// Binomial coefficient C(n, k) for small k, in long double.
long double SmallBinomial(int64_t n, int64_t k) {
  long double c = 1.0L;
  for (int64_t i = 0; i < k; ++i) {
    c = c * static_cast<long double>(n - i) / static_cast<long double>(i + 1);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Two-sided one-sample Kolmogorov-Smirnov, the pieces of scipy/stats/_ksstats.py.

constexpr int kScaleExponent = 128;
const double kTwoPow128 = std::ldexp(1.0, kScaleExponent);
const double kTwoPowMinus128 = std::ldexp(1.0, -kScaleExponent);

// log(n! / n^n) by Stirling's series with the n log n term removed
// (_log_nfactorial_div_n_pow_n).
double LogNFactorialDivNPowN(int64_t n) {
  static constexpr double kStirlingCoeffs[] = {-2.955065359477124183e-2,  6.4102564102564102564e-3,
                                               -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                                               -5.952380952380952381e-4,  7.9365079365079365079e-4,
                                               -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  const double nd = static_cast<double>(n);
  const double rn = 1.0 / nd;
  const double x = rn / nd;
  double poly = 0.0;
  for (double c : kStirlingCoeffs) poly = poly * x + c;
  const double log_2pi = std::log(2 * kPi);
  return std::log(nd) / 2 - nd + log_2pi / 2 + rn * poly;
}

// Row-major square matrix product c = a * b (m x m).
void MatMul(const std::vector<double>& a, const std::vector<double>& b, std::vector<double>& c,
            int m) {
  std::fill(c.begin(), c.end(), 0.0);
  for (int i = 0; i < m; ++i) {
    for (int l = 0; l < m; ++l) {
      const double ail = a[i * m + l];
      if (ail == 0.0) continue;
      for (int j = 0; j < m; ++j) c[i * m + j] += ail * b[l * m + j];
    }
  }
}

// P(D_n <= d) by Durbin's matrix algorithm as organised by Marsaglia, Tsang & Wang (2003)
// (_kolmogn_DMTW): the k-th diagonal entry of H^n times n!/n^n, with power-of-two rescaling.
double DurbinMatrixCdf(int64_t n, double d) {
  if (d >= 1.0) return 1.0;
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0.0;
  const int k = static_cast<int>(std::ceil(nd));
  const double h = k - nd;
  const int m = 2 * k - 1;

  std::vector<double> v(m), w(m);
  double fac = 1.0;
  for (int j = 1; j <= m; ++j) {
    v[j - 1] = 1.0 - std::pow(h, static_cast<double>(j));
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] *= fac;
  }
  const double tt =
      std::pow(std::max(2 * h - 1.0, 0.0), static_cast<double>(m)) - 2 * std::pow(h, double(m));
  v[m - 1] = (1.0 + tt) * fac;

  std::vector<double> hm(static_cast<size_t>(m) * m, 0.0);
  for (int i = 1; i < m; ++i) {
    for (int r = i - 1; r < m; ++r) hm[r * m + i] = w[r - (i - 1)];
  }
  for (int r = 0; r < m; ++r) hm[r * m] = v[r];
  for (int c = 0; c < m; ++c) hm[(m - 1) * m + c] = v[m - 1 - c];

  std::vector<double> hpwr(static_cast<size_t>(m) * m, 0.0), tmp(hpwr.size());
  for (int i = 0; i < m; ++i) hpwr[i * m + i] = 1.0;
  int64_t nn = n;
  int64_t expnt = 0;
  int64_t hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      MatMul(hpwr, hm, tmp, m);
      hpwr.swap(tmp);
      expnt += hexpnt;
    }
    MatMul(hm, hm, tmp, m);
    hm.swap(tmp);
    hexpnt *= 2;
    if (std::fabs(hm[(k - 1) * m + (k - 1)]) > kTwoPow128) {
      for (double& e : hm) e /= kTwoPow128;
      hexpnt += kScaleExponent;
    }
    nn /= 2;
  }

  // SciPy continues in numpy longdouble once the first rescaling happens; long double throughout.
  long double p = hpwr[(k - 1) * m + (k - 1)];
  const long double nl = static_cast<long double>(n);
  for (int64_t i = 1; i <= n; ++i) {
    p = static_cast<long double>(i) * p / nl;
    if (std::fabs(p) < kTwoPowMinus128) {
      p *= kTwoPow128;
      expnt -= kScaleExponent;
    }
  }
  if (expnt != 0) p = std::ldexp(p, static_cast<int>(expnt));
  return Clip01(static_cast<double>(p));
}

// Row bounds of Pomeranz's recursion (_pomeranz_compute_j1j2).
void PomeranzBounds(int64_t i, int64_t n, int64_t ll, int64_t ceilf, int64_t roundf, int64_t* j1,
                    int64_t* j2) {
  int64_t a, b;
  if (i == 0) {
    a = -ll - ceilf - 1;
    b = ll + ceilf - 1;
  } else {
    const int64_t ip1div2 = (i + 1) / 2;
    const int64_t ip1mod2 = (i + 1) % 2;
    if (ip1mod2 == 0) {  // i is odd
      if (ip1div2 == n + 1) {
        a = n - ll - ceilf - 1;
        b = n + ll + ceilf - 1;
      } else {
        a = ip1div2 - 1 - ll - roundf - 1;
        b = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      a = ip1div2 - 1 - ll - 1;
      b = ip1div2 + ll + roundf - 1;
    }
  }
  *j1 = std::max<int64_t>(a + 2, 0);
  *j2 = std::min(b, n);
}

// P(D_n <= x) by Pomeranz's recursion (1974) (_kolmogn_Pomeranz).
double PomeranzCdf(int64_t n, double x) {
  const double t = static_cast<double>(n) * x;
  const int64_t ll = static_cast<int64_t>(std::floor(t));
  const double f = t - static_cast<double>(ll);
  const double g = std::min(f, 1.0 - f);
  const int64_t ceilf = f > 0 ? 1 : 0;
  const int64_t roundf = f > 0.5 ? 1 : 0;
  const int64_t npwrs = 2 * (ll + 1);
  std::vector<double> gpower(npwrs), twogpower(npwrs), onem2gpower(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
  const double nd = static_cast<double>(n);
  const double g_over_n = g / nd, two_g_over_n = 2 * g / nd,
               one_minus_two_g_over_n = (1 - 2 * g) / nd;
  for (int64_t m = 1; m < npwrs; ++m) {
    gpower[m] = gpower[m - 1] * g_over_n / static_cast<double>(m);
    twogpower[m] = twogpower[m - 1] * two_g_over_n / static_cast<double>(m);
    onem2gpower[m] = onem2gpower[m - 1] * one_minus_two_g_over_n / static_cast<double>(m);
  }

  std::vector<double> v0(npwrs, 0.0), v1(npwrs, 0.0), conv;
  v1[0] = 1.0;
  int64_t v0s = 0, v1s = 0;
  int64_t expnt = 0;
  int64_t j1, j2;
  PomeranzBounds(0, n, ll, ceilf, roundf, &j1, &j2);
  for (int64_t i = 1; i < 2 * n + 2; ++i) {
    const int64_t k1 = j1;
    v0.swap(v1);
    std::swap(v0s, v1s);
    std::fill(v1.begin(), v1.end(), 0.0);
    PomeranzBounds(i, n, ll, ceilf, roundf, &j1, &j2);
    const std::vector<double>& pwrs =
        (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
    const int64_t ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]), slices clamped like numpy's.
      const int64_t a0 = std::clamp<int64_t>(k1 - v0s, 0, npwrs);
      const int64_t la = std::min(ln2, npwrs - a0);
      const int64_t lb = std::min(ln2, npwrs);
      const int64_t lc = la + lb - 1;
      conv.assign(static_cast<size_t>(std::max<int64_t>(lc, 0)), 0.0);
      for (int64_t p = 0; p < la; ++p) {
        const double ap = v0[a0 + p];
        for (int64_t q = 0; q < lb; ++q) conv[p + q] += ap * pwrs[q];
      }
      const int64_t conv_start = j1 - k1;
      const int64_t conv_len = j2 - j1 + 1;
      for (int64_t c = 0; c < conv_len; ++c) {
        const int64_t src = conv_start + c;
        v1[c] = (src >= 0 && src < lc) ? conv[src] : 0.0;
      }
      const double vmax = *std::max_element(v1.begin(), v1.end());
      if (0 < vmax && vmax < kTwoPowMinus128) {
        for (double& e : v1) e *= kTwoPow128;
        expnt -= kScaleExponent;
      }
      v1s = v0s + j1 - k1;
    }
  }

  long double ans = v1[n - v1s];
  for (int64_t m = 1; m <= n; ++m) {
    if (std::fabs(ans) > kTwoPow128) {
      ans *= kTwoPowMinus128;
      expnt += kScaleExponent;
    }
    ans *= static_cast<long double>(m);
  }
  if (expnt != 0) ans = std::ldexp(ans, static_cast<int>(expnt));
  return Clip01(static_cast<double>(ans));
}

// The Pelz-Good (1976) approximation of P(D_n <= x) (_kolmogn_PelzGood).
double PelzGoodCdf(int64_t n, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double pi_squared = std::pow(kPi, 2.0);
  const double pi_four = std::pow(kPi, 4.0);
  const double pi_six = std::pow(kPi, 6.0);
  const double sqrt2pi = std::sqrt(2 * kPi);
  const double sqrt3 = std::sqrt(3.0);

  const double z = std::sqrt(static_cast<double>(n)) * x;
  const double zsquared = std::pow(z, 2.0), zthree = std::pow(z, 3.0), zfour = std::pow(z, 4.0),
               zsix = std::pow(z, 6.0);
  const double qlog = -pi_squared / 8 / zsquared;
  if (qlog < -708) return 0.0;
  double q = std::exp(qlog);

  const double k1a = -zsquared;
  const double k1b = pi_squared / 4;
  const double k2a = 6 * zsix + 2 * zfour;
  const double k2b = (2 * zfour - 5 * zsquared) * pi_squared / 4;
  const double k2c = pi_four * (1 - 2 * zsquared) / 16;
  const double k3d = pi_six * (5 - 30 * zsquared) / 64;
  const double k3c = pi_four * (-60 * zsquared + 212 * zfour) / 16;
  const double k3b = pi_squared * (135 * zfour - 96 * zsix) / 4;
  const double k3a = -30 * zsix - 90 * std::pow(z, 8.0);

  double k0to3[4] = {0, 0, 0, 0};
  const int64_t maxk = static_cast<int64_t>(std::ceil(16 * z / kPi));
  for (int64_t k = maxk; k > 0; --k) {
    const int64_t m = 2 * k - 1;
    const double msquared = static_cast<double>(m * m);
    const double mfour = static_cast<double>(m * m * m * m);
    const double msix = static_cast<double>(m * m * m * m * m * m);
    const double qpower = std::pow(q, static_cast<double>(8 * k));
    const double coeffs[4] = {1.0, k1a + k1b * msquared, k2a + k2b * msquared + k2c * mfour,
                              k3a + k3b * msquared + k3c * mfour + k3d * msix};
    for (int i = 0; i < 4; ++i) {
      k0to3[i] *= qpower;
      k0to3[i] += coeffs[i];
    }
  }
  const double divisors[4] = {z, 6 * zfour, 72 * std::pow(z, 7.0), 6480 * std::pow(z, 10.0)};
  for (int i = 0; i < 4; ++i) {
    k0to3[i] *= q;
    k0to3[i] *= sqrt2pi;
    k0to3[i] /= divisors[i];
  }

  q = std::exp(-pi_squared / 2 / zsquared);
  const double sqrt3z = sqrt3 * z;
  // ks = maxk, maxk - 1, ..., 1
  auto kat = [&](size_t i) { return static_cast<double>(maxk - static_cast<int64_t>(i)); };
  auto qpw = [&](size_t i) { return std::pow(q, kat(i) * kat(i)); };
  double k2extra = internal::NumpyPairwiseSum(static_cast<size_t>(maxk),
                                              [&](size_t i) { return (kat(i) * kat(i)) * qpw(i); });
  k2extra *= pi_squared * sqrt2pi / (-36 * zthree);
  k0to3[2] += k2extra;
  double k3extra = internal::NumpyPairwiseSum(static_cast<size_t>(maxk), [&](size_t i) {
    const double kspi = kPi * kat(i);
    return (sqrt3z + kspi) * (sqrt3z - kspi) * (kat(i) * kat(i)) * qpw(i);
  });
  k3extra *= pi_squared * sqrt2pi / (216 * zsix);
  k0to3[3] += k3extra;
  const double nd = static_cast<double>(n);
  const double powers_of_n[4] = {std::pow(nd, 0.0), std::pow(nd, 0.5), std::pow(nd, 1.0),
                                 std::pow(nd, 1.5)};
  double ksum = 0.0;
  for (int i = 0; i < 4; ++i) ksum += k0to3[i] / powers_of_n[i];
  return ksum;
}

// ---------------------------------------------------------------------------------------------
// Bessel K: Temme's series and Steed's CF2 for |mu| <= 1/2 (cf. Numerical Recipes' bessik).

// 1 / Gamma(1 + z) - like terms of Temme's method: gam1 = (1/G(1-mu) - 1/G(1+mu)) / (2 mu),
// gam2 = (1/G(1-mu) + 1/G(1+mu)) / 2, gampl = 1/G(1+mu), gammi = 1/G(1-mu).
void TemmeGammas(long double mu, long double* gam1, long double* gam2, long double* gampl,
                 long double* gammi) {
  *gampl = 1.0L / std::tgamma(1.0L + mu);
  *gammi = 1.0L / std::tgamma(1.0L - mu);
  *gam2 = (*gammi + *gampl) / 2;
  if (std::fabs(mu) < 1e-4L) {
    // Taylor coefficients of 1/Gamma(1+z): 1 + a1 z + a2 z^2 + ...; gam1 = -(a1 + a3 mu^2 + a5
    // mu^4).
    constexpr long double a1 = 0.5772156649015328606065120900824024L;
    constexpr long double a3 = -0.0420026350340952355290039348754298L;
    constexpr long double a5 = -0.0421977345555443367482083012891874L;
    const long double mu2 = mu * mu;
    *gam1 = -(a1 + a3 * mu2 + a5 * mu2 * mu2);
  } else {
    *gam1 = (*gammi - *gampl) / (2 * mu);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

double NormalSf(double z) { return NormalCdf(-z); }

long double LogGamma(long double x) {
  if (!(x > 0)) return std::numeric_limits<long double>::quiet_NaN();
  if (std::isinf(x)) return x;
  long double prod = 1.0L;
  while (x < 16.0L) {
    prod *= x;
    x += 1.0L;
  }
  const long double shift = std::log(prod);
  // Stirling's series: sum B_2k / (2k (2k - 1) x^(2k - 1)), k = 1..8.
  static constexpr long double kCoeffs[] = {1.0L / 12,    -1.0L / 360,      1.0L / 1260,
                                            -1.0L / 1680, 1.0L / 1188,      -691.0L / 360360,
                                            1.0L / 156,   -3617.0L / 122400};
  const long double r = 1.0L / x;
  const long double r2 = r * r;
  long double series = 0.0L;
  for (int k = 7; k >= 0; --k) series = series * r2 + kCoeffs[k];
  series *= r;
  const long double half_log_2pi = 0.9189385332046727417803297364056176398L;
  return (x - 0.5L) * std::log(x) - x + half_log_2pi + series - shift;
}

double RegularizedGammaQ(double a, double x) {
  if (std::isnan(a) || std::isnan(x) || !(a > 0) || x < 0) return kNaN;
  if (x == 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  if (std::isinf(a)) return 1.0;
  constexpr long double kEps = LDBL_EPSILON;
  constexpr long double kTiny = LDBL_MIN / LDBL_EPSILON;
  constexpr int kMaxIterations = 10'000'000;
  const long double la = a, lx = x;
  const long double log_prefactor = la * std::log(lx) - lx - LogGamma(la);
  if (x < a + 1) {
    // P(a, x) = x^a e^-x / Gamma(a) * sum_{k>=0} x^k / (a (a+1) ... (a+k)).
    long double ap = la;
    long double term = 1.0L / la;
    long double sum = term;
    for (int i = 0; i < kMaxIterations; ++i) {
      ap += 1.0L;
      term *= lx / ap;
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * kEps) break;
    }
    const long double p = sum * std::exp(log_prefactor);
    return std::clamp(static_cast<double>(1.0L - p), 0.0, 1.0);
  }
  // Q(a, x) = x^a e^-x / Gamma(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))).
  long double b = lx + 1.0L - la;
  long double c = 1.0L / kTiny;
  long double d = 1.0L / b;
  long double h = d;
  for (int i = 1; i < kMaxIterations; ++i) {
    const long double an = -static_cast<long double>(i) * (static_cast<long double>(i) - la);
    b += 2.0L;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0L / d;
    const long double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0L) < kEps) break;
  }
  return std::clamp(static_cast<double>(std::exp(log_prefactor) * h), 0.0, 1.0);
}

double ChiSquareSf(double x, double dof) {
  if (std::isnan(x) || std::isnan(dof) || !(dof > 0)) return kNaN;
  if (x <= 0) return 1.0;
  return RegularizedGammaQ(dof / 2, x / 2);
}

double BesselK(double nu, double x) {
  if (std::isnan(nu) || std::isnan(x) || x < 0) return kNaN;
  if (x == 0) return std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return 0.0;
  nu = std::fabs(nu);
  constexpr long double kEps = LDBL_EPSILON;
  constexpr int kMaxIterations = 100000;
  const int64_t nl = static_cast<int64_t>(nu + 0.5);
  const long double mu = static_cast<long double>(nu) - static_cast<long double>(nl);
  const long double mu2 = mu * mu;
  const long double lx = x;
  const long double xi = 1.0L / lx;
  const long double xi2 = 2.0L * xi;
  long double rkmu, rk1;
  if (x <= 2.0) {
    const long double x2 = 0.5L * lx;
    const long double pimu = kPiL * mu;
    const long double fact = std::fabs(pimu) < kEps ? 1.0L : pimu / std::sin(pimu);
    long double d = -std::log(x2);
    long double e = mu * d;
    const long double fact2 = std::fabs(e) < kEps ? 1.0L : std::sinh(e) / e;
    long double gam1, gam2, gampl, gammi;
    TemmeGammas(mu, &gam1, &gam2, &gampl, &gammi);
    long double ff = fact * (gam1 * std::cosh(e) + gam2 * fact2 * d);
    long double sum = ff;
    e = std::exp(e);
    long double p = 0.5L * e / gampl;
    long double q = 0.5L / (e * gammi);
    long double c = 1.0L;
    d = x2 * x2;
    long double sum1 = p;
    for (int i = 1; i <= kMaxIterations; ++i) {
      const long double li = i;
      ff = (li * ff + p + q) / (li * li - mu2);
      c *= d / li;
      p /= li - mu;
      q /= li + mu;
      const long double del = c * ff;
      sum += del;
      sum1 += c * (p - li * ff);
      if (std::fabs(del) < std::fabs(sum) * kEps) break;
    }
    rkmu = sum;
    rk1 = sum1 * xi2;
  } else {
    long double b = 2.0L * (1.0L + lx);
    long double d = 1.0L / b;
    long double h = d, delh = d;
    long double q1 = 0.0L, q2 = 1.0L;
    const long double a1 = 0.25L - mu2;
    long double q = a1, c = a1;
    long double a = -a1;
    long double s = 1.0L + q * delh;
    for (int i = 2; i <= kMaxIterations; ++i) {
      const long double li = i;
      a -= 2.0L * (li - 1.0L);
      c = -a * c / li;
      const long double qnew = (q1 - b * q2) / a;
      q1 = q2;
      q2 = qnew;
      q += c * qnew;
      b += 2.0L;
      d = 1.0L / (b + a * d);
      delh = (b * d - 1.0L) * delh;
      h += delh;
      const long double dels = q * delh;
      s += dels;
      if (std::fabs(dels / s) < kEps) break;
    }
    h = a1 * h;
    rkmu = std::sqrt(kPiL / (2.0L * lx)) * std::exp(-lx) / s;
    rk1 = rkmu * (mu + lx + 0.5L - h) * xi;
  }
  for (int64_t i = 1; i <= nl; ++i) {
    const long double next = (mu + static_cast<long double>(i)) * xi2 * rk1 + rkmu;
    rkmu = rk1;
    rk1 = next;
  }
  return static_cast<double>(rkmu);
}

double SmirnovSf(int64_t n, double d) {
  if (!(n > 0 && d >= 0.0 && d <= 1.0)) return kNaN;
  if (n == 1) return 1.0 - d;
  if (d == 0.0) return 1.0;
  if (d == 1.0) return 0.0;

  // floor(n d) and its remainder alpha, exactly (n d = hi + lo with an FMA).
  const double nd = static_cast<double>(n);
  const double nx_hi = nd * d;
  const double nx_lo = std::fma(nd, d, -nx_hi);
  double fl = std::floor(nx_hi);
  double alpha;
  if (nx_hi == fl && nx_lo < 0) {
    fl -= 1.0;
    alpha = 1.0 + nx_lo;
  } else {
    alpha = (nx_hi - fl) + nx_lo;
  }
  int64_t nxfl = static_cast<int64_t>(fl);
  if (alpha >= 1.0) {
    nxfl += 1;
    alpha = 0.0;
  }
  int64_t n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
  int64_t n1mxceil = n - nxfl;
  if (alpha == 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  // d <= 1/n: cdf = d (1 + d)^(n-1).
  if (nxfl == 0 || (nxfl == 1 && alpha == 0)) {
    const double t = static_cast<double>(PowOnePlus(d, n - 1));
    const double cdf = d * t;
    return Clip01(1.0 - cdf);
  }
  // The sf underflows double (MINLOG of SciPy's Cephes, log(2^-1075)).
  constexpr double kMinLog = -7.451332191019412076235E2;
  if (-2 * nd * d * d < kMinLog) return 0.0;
  // d >= 1 - 1/n: sf = (1 - d)^n.
  if (nxfl >= n - 1)
    return Clip01(static_cast<double>(PowOnePlus(-static_cast<long double>(d), n)));
  // Very large n: SciPy's approximation.
  if (n > 1000000) {
    const double logp = -std::pow(6.0 * nd * d + 1, 2) / 18.0 / nd;
    if (logp < -std::numbers::ln2) return Clip01(std::exp(logp));
    return Clip01(1.0 - (-std::expm1(logp)));
  }

  const int64_t n_upper_terms = n - n1mxceil + 1;
  const bool use_upper_sum = (n_upper_terms <= 1 && d < 0.5) ||
                             (n >= 10 && n_upper_terms <= 3 && d <= 0.5 / std::sqrt(nd));
  const long double ln = nd;
  const long double ld = d;
  const long double lnx = static_cast<long double>(nx_hi) + static_cast<long double>(nx_lo);
  if (use_upper_sum) {
    // cdf = d * sum_{v = n1mxceil}^{n} C(n, v) (d + v/n)^(v-1) (1 - d - v/n)^(n-v): a few terms of
    // alternating sign, evaluated directly.
    long double sum = 0.0L;
    for (int64_t v = n; v >= n1mxceil; --v) {
      const long double base1 = (lnx + static_cast<long double>(v)) / ln;
      const long double base2 =
          ((static_cast<long double>(n - v) - static_cast<long double>(nx_hi)) -
           static_cast<long double>(nx_lo)) /
          ln;
      long double term = SmallBinomial(n, n - v) * std::pow(base1, static_cast<long double>(v - 1));
      for (int64_t e = 0; e < n - v; ++e) term *= base2;
      sum += term;
    }
    return Clip01(static_cast<double>(1.0L - ld * sum));
  }

  // sf = d * sum_{v=0}^{n1mxfl} C(n, v) (d + v/n)^(v-1) (1 - d - v/n)^(n-v), all terms positive,
  // each evaluated as exp of its logarithm in long double.
  const int64_t n_terms = n1mxfl + 1;
  const int64_t vmid = n / 2;
  long double sum = std::exp(-std::log(ld) + ln * std::log1p(-ld));  // v = 0: (1-d)^n / d
  // log C(n, v), accumulated with Kahan compensation: ~n additions of terms of mixed sign to a
  // value up to ~n ln 2 would otherwise lose ~sqrt(n) ulps.
  long double log_binomial = 0.0L, log_binomial_c = 0.0L;
  for (int64_t v = 1; v < n_terms; ++v) {
    {
      const long double y =
          std::log(static_cast<long double>(n - v + 1) / static_cast<long double>(v)) -
          log_binomial_c;
      const long double t = log_binomial + y;
      log_binomial_c = (t - log_binomial) - y;
      log_binomial = t;
    }
    const long double base1 = (lnx + static_cast<long double>(v)) / ln;
    const long double base2 = ((static_cast<long double>(n - v) - static_cast<long double>(nx_hi)) -
                               static_cast<long double>(nx_lo)) /
                              ln;
    const long double log_term = log_binomial + static_cast<long double>(v - 1) * std::log(base1) +
                                 static_cast<long double>(n - v) * std::log(base2);
    const long double term = std::exp(log_term);
    if (std::isfinite(term) && term != 0) sum += term;
    if (term != 0) {
      if (4.0L * static_cast<long double>(n_terms - v) * term < DBL_EPSILON * sum &&
          v != n_terms - 1) {
        break;
      }
    } else if (v > vmid) {
      break;
    }
  }
  return Clip01(static_cast<double>(ld * sum));
}

double KolmogorovLimitSf(double x) {
  if (std::isnan(x)) return kNaN;
  if (x <= 0) return 1.0;
  // Below this the first term of the cdf series underflows: sf == 1.
  if (x <= kPi / std::sqrt(746.0 * 8)) return 1.0;
  if (x <= 0.82) {
    // cdf = sqrt(2 pi)/x * u * (1 + u^8 + u^24 + u^48 + ...), u = exp(-pi^2 / (8 x^2)).
    const double w = std::sqrt(2 * kPi) / x;
    const double logu8 = -kPi * kPi / (x * x);
    const double u = std::exp(logu8 / 8);
    double p;
    if (u == 0) {
      p = std::exp(logu8 / 8 + std::log(w));
    } else {
      const double u8 = std::exp(logu8);
      const double u8cub = std::pow(u8, 3);
      p = 1.0;
      p = 1 + u8cub * p;
      p = 1 + u8 * u8 * p;
      p = 1 + u8 * p;
      p = w * u * p;
    }
    return Clip01(1 - p);
  }
  // sf = 2 (v - v^4 + v^9 - v^16 + ...) = 2v (1 - v^3 (1 - v^5 (1 - v^7 ...))), v = exp(-2 x^2).
  const double v = std::exp(-2 * x * x);
  const double vsq = v * v;
  const double v3 = std::pow(v, 3);
  double p = 1.0;
  p = 1 - v3 * v3 * v * p;
  p = 1 - v3 * vsq * p;
  p = 1 - v3 * p;
  return Clip01(2 * v * p);
}

double KolmogorovSmirnovSf(int64_t n, double d) {
  if (std::isnan(d) || n <= 0) return kNaN;
  const double nd = static_cast<double>(n);
  // rv_continuous.sf outside the support (0.5/n, 1).
  if (d <= 0.5 / nd) return 1.0;
  if (d >= 1.0) return 0.0;
  const double t = nd * d;
  if (t <= 1.0) {  // Ruben-Gambino: 1/(2n) <= d <= 1/n
    if (t <= 0.5) return 1.0;
    double prob;
    if (n <= 140) {
      prob = 1.0;
      for (int64_t i = 1; i <= n; ++i) prob *= static_cast<double>(i) * (1.0 / nd) * (2 * t - 1);
    } else {
      prob = std::exp(LogNFactorialDivNPowN(n) + nd * std::log(2 * t - 1));
    }
    return Clip01(1.0 - prob);
  }
  if (t >= nd - 1) return Clip01(2 * std::pow(1.0 - d, nd));  // Ruben-Gambino
  if (d >= 0.5) return Clip01(2 * SmirnovSf(n, d));
  const double nxsquared = t * d;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return Clip01(1.0 - DurbinMatrixCdf(n, d));
    if (nxsquared <= 4) return Clip01(1.0 - PomeranzCdf(n, d));
    return Clip01(2 * SmirnovSf(n, d));
  }
  if (nxsquared >= 370.0) return 0.0;
  if (nxsquared >= 2.2) return Clip01(2 * SmirnovSf(n, d));
  double cdf;
  if (n <= 100000 && nd * std::pow(d, 1.5) <= 1.4) {
    cdf = DurbinMatrixCdf(n, d);
  } else {
    cdf = PelzGoodCdf(n, d);
  }
  return Clip01(1.0 - Clip01(cdf));
}

double CramerVonMisesLimitCdf(double x) {
  if (std::isnan(x)) return kNaN;
  if (x <= 0) return 0.0;
  const double pi_1_5 = std::pow(kPi, 1.5);
  double total = 0.0;
  for (int k = 0; k < 1000; ++k) {
    const double u = std::exp(static_cast<double>(LogGamma(k + 0.5L) - LogGamma(k + 1.0L))) /
                     (pi_1_5 * std::sqrt(x));
    const double y = 4.0 * k + 1;
    const double q = y * y / (16 * x);
    const double b = BesselK(0.25, q);
    const double z = u * std::sqrt(y) * std::exp(-q) * b;
    total += z;
    if (!(std::fabs(z) >= 1e-7)) break;
  }
  return total;
}

}  // namespace modelwatch
