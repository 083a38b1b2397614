// Measures the accuracy of modelwatch's sketches; the numbers in docs/sketches.md and the
// constants of KllSketch::NormalizedRankError come from this program. Deterministic (fixed
// seeds). Usage:
//   sketch_accuracy rank [trials [n [k,k,...]]]  KLL rank error vs k (99th percentiles, worst)
//   sketch_accuracy ks [seeds]           |KS from two KLL sketches - exact KS| vs k, 1M rows each
//   sketch_accuracy ks-merged [seeds]    the same, one side merged from 8 window sketches
//   sketch_accuracy hll [seeds]          HyperLogLog relative error vs cardinality
//   sketch_accuracy size                 serialized sizes
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "modelwatch/core/category_counts.h"
#include "modelwatch/core/frequent_items.h"
#include "modelwatch/core/hyperloglog.h"
#include "modelwatch/core/kll_sketch.h"

namespace modelwatch {
namespace {

// Nearest-rank percentile: the smallest value with at least p of the values <= it.
double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

KllSketch MakeKll(int k, uint64_t seed) { return *KllSketch::Create(k, seed); }

// Rank error of a KLL sketch over a random permutation of 0..n-1, where the true rank of v is
// (v + 1) / n. Single: |error| at 16 random query values per trial; all: the largest |error|
// over every value, per trial.
void RankError(int trials, uint64_t n, const std::vector<int>& ks) {
  std::printf("KLL rank error, n = %llu, %d trials per k (random order of distinct values)\n",
              static_cast<unsigned long long>(n), trials);
  std::printf("%6s %10s %10s %10s %10s %10s %10s %9s\n", "k", "single99", "bound1", "all99",
              "allmax", "boundAll", "retained", "bytes");
  std::vector<double> stream(n);
  std::iota(stream.begin(), stream.end(), 0.0);
  for (int k : ks) {
    std::vector<double> single;
    std::vector<double> all;
    size_t retained = 0;
    size_t bytes = 0;
    for (int t = 0; t < trials; ++t) {
      std::mt19937_64 rng(1000 + static_cast<uint64_t>(t));
      std::shuffle(stream.begin(), stream.end(), rng);
      KllSketch s = MakeKll(k, 77 + static_cast<uint64_t>(t));
      for (double x : stream) s.Update(x);
      const KllSortedView view = s.GetSortedView();
      const double nd = static_cast<double>(n);
      double worst = 0.0;
      uint64_t previous = 0;
      for (size_t i = 0; i < view.items().size(); ++i) {
        const double v = view.items()[i];
        // At v the estimate is cum[i] (true v + 1); just below v it is cum[i-1] (true v).
        worst = std::max(
            worst, std::fabs(static_cast<double>(view.cumulative_weights()[i]) - (v + 1.0)) / nd);
        worst = std::max(worst, std::fabs(static_cast<double>(previous) - v) / nd);
        previous = view.cumulative_weights()[i];
      }
      all.push_back(worst);
      std::uniform_int_distribution<uint64_t> pick(0, n - 1);
      for (int q = 0; q < 16; ++q) {
        const double v = static_cast<double>(pick(rng));
        single.push_back(std::fabs(view.Rank(v) - (v + 1.0) / nd));
      }
      retained += s.num_retained();
      bytes += s.Serialize().size();
    }
    std::printf("%6d %10.5f %10.5f %10.5f %10.5f %10.5f %10zu %9zu\n", k, Percentile(single, 0.99),
                KllSketch::NormalizedRankError(k, false), Percentile(all, 0.99),
                *std::max_element(all.begin(), all.end()), KllSketch::NormalizedRankError(k, true),
                retained / static_cast<size_t>(trials), bytes / static_cast<size_t>(trials));
    std::fflush(stdout);
  }
}

// Exact two-sample KS statistic of two sorted samples (ties handled: both CDFs include every
// item equal to the value).
double ExactKs(const std::vector<double>& a, const std::vector<double>& b) {
  size_t i = 0;
  size_t j = 0;
  double d = 0.0;
  const double na = static_cast<double>(a.size());
  const double nb = static_cast<double>(b.size());
  while (i < a.size() || j < b.size()) {
    double x;
    if (j == b.size() || (i < a.size() && a[i] < b[j])) {
      x = a[i];
    } else {
      x = b[j];
    }
    while (i < a.size() && !(x < a[i])) ++i;
    while (j < b.size() && !(x < b[j])) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
  }
  return d;
}

struct Case {
  const char* name;
  size_t n_b;
  double (*draw_a)(std::mt19937_64&);
  double (*draw_b)(std::mt19937_64&);
};

double Normal(std::mt19937_64& r) { return std::normal_distribution<double>(0.0, 1.0)(r); }
double Shifted(std::mt19937_64& r) { return std::normal_distribution<double>(0.02, 1.0)(r); }
double Cauchy(std::mt19937_64& r) { return std::cauchy_distribution<double>(0.0, 1.0)(r); }
double CauchyWide(std::mt19937_64& r) { return std::cauchy_distribution<double>(0.0, 1.05)(r); }
double Poisson3(std::mt19937_64& r) { return std::poisson_distribution<int>(3.0)(r); }
double Poisson31(std::mt19937_64& r) { return std::poisson_distribution<int>(3.05)(r); }
double LogNormal(std::mt19937_64& r) { return std::lognormal_distribution<double>(0.0, 2.0)(r); }
double Bimodal(std::mt19937_64& r) {
  return std::bernoulli_distribution(0.3)(r) ? std::normal_distribution<double>(5.0, 0.5)(r)
                                             : std::normal_distribution<double>(0.0, 1.0)(r);
}

void KsError(int seeds, bool merged) {
  const size_t n = 1'000'000;
  const std::vector<int> ks = {200, 400, 500, 600, 700, 800, 1000, 1200};
  const Case cases[] = {
      {"normal vs normal", n, Normal, Normal},
      {"normal vs shifted 0.02", n, Normal, Shifted},
      {"cauchy vs cauchy*1.05", n, Cauchy, CauchyWide},
      {"poisson3 vs poisson3.05", n, Poisson3, Poisson31},
      {"lognormal vs bimodal", n, LogNormal, Bimodal},
      {"normal 1M vs shifted 200k", 200'000, Normal, Shifted},
  };
  std::printf("|KS(sketch a, sketch b) - exact KS|, 1M rows (b: as named%s), %d seeds per case\n",
              merged ? ", merged from 8 sketches" : "", seeds);
  std::vector<std::vector<double>> errors(ks.size());
  std::vector<double> worst_bound(ks.size(), 0.0);
  for (const Case& c : cases) {
    std::vector<double> case_worst(ks.size(), 0.0);
    for (int seed = 0; seed < seeds; ++seed) {
      std::mt19937_64 rng(5000 + static_cast<uint64_t>(seed));
      std::vector<double> a(n);
      std::vector<double> b(c.n_b);
      for (double& x : a) x = c.draw_a(rng);
      for (double& x : b) x = c.draw_b(rng);
      std::vector<KllSketch> sa;
      std::vector<KllSketch> sb;
      for (size_t i = 0; i < ks.size(); ++i) {
        sa.push_back(MakeKll(ks[i], 11 + static_cast<uint64_t>(seed)));
        sb.push_back(MakeKll(ks[i], 911 + static_cast<uint64_t>(seed)));
      }
      for (double x : a) {
        for (auto& s : sa) s.Update(x);
      }
      // With `merged`, b's sketch is the merge of 8 window sketches (as profiles are merged).
      for (size_t i = 0; i < ks.size(); ++i) {
        if (!merged) {
          for (double x : b) sb[i].Update(x);
          continue;
        }
        for (size_t part = 0; part < 8; ++part) {
          KllSketch window = MakeKll(ks[i], 3000 + part + 8 * static_cast<uint64_t>(seed));
          for (size_t j = part * b.size() / 8; j < (part + 1) * b.size() / 8; ++j) {
            window.Update(b[j]);
          }
          sb[i].Merge(window);
        }
      }
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      const double exact = ExactKs(a, b);
      for (size_t i = 0; i < ks.size(); ++i) {
        const KllKsDistance d = KolmogorovSmirnovDistance(sa[i], sb[i]);
        const double e = std::fabs(d.statistic - exact);
        errors[i].push_back(e);
        case_worst[i] = std::max(case_worst[i], e);
        worst_bound[i] = d.error_bound;
      }
    }
    std::printf("%-28s", c.name);
    for (size_t i = 0; i < ks.size(); ++i) std::printf(" k=%d:%.4f", ks[i], case_worst[i]);
    std::printf("\n");
    std::fflush(stdout);
  }
  std::printf("%6s %10s %10s %10s %10s\n", "k", "mean", "p99", "worst", "bound");
  for (size_t i = 0; i < ks.size(); ++i) {
    const double mean = std::accumulate(errors[i].begin(), errors[i].end(), 0.0) /
                        static_cast<double>(errors[i].size());
    std::printf("%6d %10.5f %10.5f %10.5f %10.5f\n", ks[i], mean, Percentile(errors[i], 0.99),
                *std::max_element(errors[i].begin(), errors[i].end()), worst_bound[i]);
  }
}

void HllError(int seeds) {
  std::printf("HyperLogLog relative error, %d seeds per cardinality\n", seeds);
  std::printf("%4s %10s %10s %10s %10s %10s\n", "p", "n", "mean", "rmse", "worst", "stderr");
  for (int p : {10, 12, 14}) {
    for (uint64_t n : {10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull}) {
      double sum = 0.0;
      double sq = 0.0;
      double worst = 0.0;
      for (int seed = 0; seed < seeds; ++seed) {
        HyperLogLog h = *HyperLogLog::Create(p);
        const uint64_t base = static_cast<uint64_t>(seed) << 40;
        for (uint64_t i = 0; i < n; ++i) h.Update(std::to_string(base + i));
        const double e = (h.Estimate() - static_cast<double>(n)) / static_cast<double>(n);
        sum += e;
        sq += e * e;
        worst = std::max(worst, std::fabs(e));
      }
      std::printf("%4d %10llu %10.5f %10.5f %10.5f %10.5f\n", p, static_cast<unsigned long long>(n),
                  sum / seeds, std::sqrt(sq / seeds), worst, HyperLogLog::StandardError(p));
      std::fflush(stdout);
    }
  }
}

void Sizes() {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  for (int k : {200, KllSketch::kDefaultProfileK}) {
    for (uint64_t n : {100ull, 10000ull, 1000000ull, 100000000ull}) {
      KllSketch s = MakeKll(k, 1);
      for (uint64_t i = 0; i < n; ++i) s.Update(normal(rng));
      std::printf("KLL k=%d n=%llu: retained %zu, %zu bytes\n", k,
                  static_cast<unsigned long long>(n), s.num_retained(), s.Serialize().size());
    }
  }
  for (uint64_t n : {10ull, 1000ull, 100000ull}) {
    HyperLogLog h;
    for (uint64_t i = 0; i < n; ++i) h.Update(std::to_string(i));
    std::printf("HLL p=12 n=%llu: %zu bytes\n", static_cast<unsigned long long>(n),
                h.Serialize().size());
  }
  FrequentItems f;
  CategoryCounts c;
  for (int i = 0; i < 1000000; ++i) {
    const std::string item = "category_" + std::to_string(i % 5000);
    f.Update(item);
    c.Update(item);
  }
  std::printf("FrequentItems capacity 1000, 5000 categories: %zu bytes\n", f.Serialize().size());
  std::printf("CategoryCounts defaults, 5000 categories: %zu bytes\n", c.Serialize().size());
}

}  // namespace
}  // namespace modelwatch

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const int count = argc > 2 ? std::atoi(argv[2]) : 0;
  if (mode == "rank") {
    const uint64_t n = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : uint64_t{1} << 20;
    std::vector<int> ks = {8, 16, 32, 64, 100, 200, 400, 800, 1000, 1600, 3200};
    if (argc > 4) {  // a comma-separated list of k
      ks.clear();
      std::stringstream list(argv[4]);
      for (std::string k; std::getline(list, k, ',');) ks.push_back(std::atoi(k.c_str()));
    }
    modelwatch::RankError(count > 0 ? count : 100, n, ks);
  } else if (mode == "ks" || mode == "ks-merged") {
    modelwatch::KsError(count > 0 ? count : 20, mode == "ks-merged");
  } else if (mode == "hll") {
    modelwatch::HllError(count > 0 ? count : 100);
  } else if (mode == "size") {
    modelwatch::Sizes();
  } else {
    std::fprintf(stderr, "usage: sketch_accuracy rank|ks|ks-merged|hll|size [trials [n]]\n");
    return 2;
  }
  return 0;
}
