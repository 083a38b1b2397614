#include "modelwatch/core/cramer_von_mises.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "modelwatch/core/sort_doubles.h"
#include "modelwatch/core/special_functions.h"

namespace modelwatch {
namespace {

__extension__ using Int128 = __int128;

constexpr size_t kMaxAutoExactN = 20;   // SciPy: exact when max(n, m) <= 20
constexpr int64_t kMaxExactTotal = 60;  // C(60, 30) < 2^63

Status CheckSample(std::span<const double> sample, const char* name) {
  if (sample.size() < 2) {
    return InvalidArgumentError(std::string("cramervonmises_2samp: sample '") + name +
                                "' needs at least 2 observations, got " +
                                std::to_string(sample.size()));
  }
  for (size_t i = 0; i < sample.size(); ++i) {
    if (std::isnan(sample[i])) {
      return InvalidArgumentError(std::string("cramervonmises_2samp: sample '") + name +
                                  "' contains NaN at index " + std::to_string(i));
    }
  }
  return Status::Ok();
}

// Python's / numpy's float floor division a // b (fmod based, exact for exact operands).
double FloorDivide(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) div -= 1.0;
  }
  if (div != 0) {
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
    return floordiv;
  }
  return std::copysign(0.0, a / b);
}

uint64_t Binomial(int64_t n, int64_t k) {
  Int128 c = 1;
  for (int64_t i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return static_cast<uint64_t>(c);
}

using FrequencyTable = std::vector<std::pair<uint64_t, uint64_t>>;  // (value, count), sorted

// P(U >= u) under the null, by the frequency tables g_{u,v} of Xiao, Gordon & Yakovlev (2006),
// Algorithm 1 (SciPy's _pval_cvm_2samp_exact; m, n are the sample sizes).
double ExactPValue(double u, int64_t m, int64_t n) {
  const int64_t lcm = std::lcm(m, n);
  const int64_t a = lcm / m;
  const int64_t b = lcm / n;
  const int64_t mn = m * n;
  const double zeta = FloorDivide(
      static_cast<double>(lcm * lcm * (m + n)) * (6 * u - static_cast<double>(mn * (4 * mn - 1))),
      static_cast<double>(6 * mn * mn));
  std::vector<FrequencyTable> gs(static_cast<size_t>(m) + 1), next(gs.size());
  gs[0] = {{0, 1}};
  FrequencyTable merged;
  for (int64_t col = 0; col <= n; ++col) {
    FrequencyTable tmp;
    for (int64_t v = 0; v <= m; ++v) {
      // tmp <- tmp + gs[v] (counts of equal values added), then every value += (a v - b col)^2.
      const FrequencyTable& g = gs[v];
      merged.clear();
      merged.reserve(tmp.size() + g.size());
      size_t i = 0, j = 0;
      while (i < tmp.size() || j < g.size()) {
        if (j == g.size() || (i < tmp.size() && tmp[i].first < g[j].first)) {
          merged.push_back(tmp[i++]);
        } else if (i == tmp.size() || g[j].first < tmp[i].first) {
          merged.push_back(g[j++]);
        } else {
          merged.emplace_back(tmp[i].first, tmp[i].second + g[j].second);
          ++i;
          ++j;
        }
      }
      const int64_t step = a * v - b * col;
      const uint64_t add = static_cast<uint64_t>(step * step);
      for (auto& e : merged) e.first += add;
      tmp.swap(merged);
      next[v] = tmp;
    }
    gs.swap(next);
  }
  uint64_t count = 0;
  for (const auto& [value, freq] : gs[m]) {
    if (static_cast<double>(value) >= zeta) count += freq;
  }
  return static_cast<double>(count) / static_cast<double>(Binomial(m + n, m));
}

}  // namespace

Result<CramerVonMisesResult> CramerVonMisesTest(std::span<const double> reference,
                                                std::span<const double> current,
                                                CramerVonMisesMethod method) {
  MW_RETURN_IF_ERROR(CheckSample(reference, "reference"));
  MW_RETURN_IF_ERROR(CheckSample(current, "current"));
  std::vector<double> x_storage, y_storage;  // copies only when a side is not sorted yet
  const std::span<const double> x = SortedView(reference, &x_storage);
  const std::span<const double> y = SortedView(current, &y_storage);
  const int64_t nx = static_cast<int64_t>(x.size());
  const int64_t ny = static_cast<int64_t>(y.size());

  bool exact;
  switch (method) {
    case CramerVonMisesMethod::kExact:
      if (nx + ny > kMaxExactTotal) {
        return OutOfRangeError("cramervonmises_2samp: exact p-value supports n + m <= " +
                               std::to_string(kMaxExactTotal) + ", got " + std::to_string(nx + ny));
      }
      exact = true;
      break;
    case CramerVonMisesMethod::kAsymptotic:
      exact = false;
      break;
    case CramerVonMisesMethod::kAuto:
    default:
      exact = std::max(x.size(), y.size()) <= kMaxAutoExactN;
      break;
  }

  // Twice the midranks in the pooled sample, walked group by group of equal values; the sums of
  // (2 r_i - 2 i)^2 are exact integers (4 times SciPy's sums of (r_i - i)^2).
  Int128 sum_x = 0, sum_y = 0;
  {
    size_t i = 0, j = 0;
    int64_t position = 1;  // rank of the first element of the current group
    while (i < x.size() || j < y.size()) {
      const double v = (j == y.size() || (i < x.size() && x[i] <= y[j])) ? x[i] : y[j];
      size_t ci = i, cj = j;
      while (ci < x.size() && x[ci] == v) ++ci;
      while (cj < y.size() && y[cj] == v) ++cj;
      const int64_t group = static_cast<int64_t>((ci - i) + (cj - j));
      const int64_t twice_rank = 2 * position + group - 1;
      for (; i < ci; ++i) {
        const Int128 d = twice_rank - 2 * static_cast<int64_t>(i + 1);
        sum_x += d * d;
      }
      for (; j < cj; ++j) {
        const Int128 d = twice_rank - 2 * static_cast<int64_t>(j + 1);
        sum_y += d * d;
      }
      position += group;
    }
  }
  const Int128 four_u = nx * sum_x + ny * sum_y;
  const double u = static_cast<double>(four_u) / 4.0;  // exact division by a power of two
  const int64_t k = nx * ny;
  const int64_t big_n = nx + ny;
  const double t = u / static_cast<double>(k * big_n) -
                   static_cast<double>(4 * k - 1) / static_cast<double>(6 * big_n);

  CramerVonMisesResult r;
  r.statistic = t;
  r.n_reference = static_cast<uint64_t>(nx);
  r.n_current = static_cast<uint64_t>(ny);
  if (exact) {
    r.method = "exact";
    r.p_value = ExactPValue(u, nx, ny);
    return r;
  }
  r.method = "asymptotic";
  const double et = (1 + 1.0 / static_cast<double>(big_n)) / 6;
  const Int128 vt_num = static_cast<Int128>(big_n + 1) *
                        (static_cast<Int128>(4) * k * big_n - 3 * (nx * nx + ny * ny) - 2 * k);
  const Int128 vt_den = static_cast<Int128>(45) * big_n * big_n * 4 * k;
  const double vt =
      static_cast<double>(static_cast<long double>(vt_num) / static_cast<long double>(vt_den));
  const double tn = 1.0 / 6 + (t - et) / std::sqrt(45 * vt);
  if (tn < 0.003) {
    r.p_value = 1.0;
  } else {
    r.p_value = std::max(0.0, 1.0 - CramerVonMisesLimitCdf(tn));
  }
  return r;
}

}  // namespace modelwatch
