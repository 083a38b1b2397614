#include "modelwatch/core/two_sample_sweep.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "internal/pairwise_sum.h"

namespace modelwatch {
namespace {

// The number of a's values among the first k of the merged sequence (a before b among equal
// values): the "merge path" split of output position k.
size_t CoRank(std::span<const double> a, std::span<const double> b, size_t k) {
  size_t lo = k > b.size() ? k - b.size() : 0;
  size_t hi = std::min(k, a.size());
  while (lo < hi) {
    const size_t i = lo + (hi - lo) / 2;
    const size_t j = k - i;
    if (j > 0 && !(b[j - 1] < a[i])) {
      lo = i + 1;  // a[i] precedes b[j - 1]: more than i of a's values are in the first k
    } else {
      hi = i;
    }
  }
  return lo;
}

// One of the interleaved merges: a[pa, ea) with b[pb, eb) into side[out, end).
struct Merge {
  const double* pa;
  const double* ea;
  const double* pb;
  const double* eb;
  uint8_t* out;
  uint8_t* end;

  void Finish() {
    while (out < end) {
      const bool from_b = pa == ea || (pb != eb && *pb < *pa);
      *out++ = from_b;
      pa += !from_b;
      pb += from_b;
    }
  }
};

// side[t] = 1 when the t-th value of the merged sequence comes from b. A merge's next compare
// waits for its previous one (~10 cycles of load and compare); four merges of different parts
// of the output hide that latency behind each other.
void MergeOrder(std::span<const double> a, std::span<const double> b, uint8_t* side) {
  constexpr int kMerges = 4;
  const size_t n = a.size() + b.size();
  Merge m[kMerges];
  for (int s = 0; s < kMerges; ++s) {
    const size_t k0 = n * s / kMerges, k1 = n * (s + 1) / kMerges;
    const size_t i0 = CoRank(a, b, k0), i1 = CoRank(a, b, k1);
    m[s] = {a.data() + i0,        a.data() + i1, b.data() + (k0 - i0),
            b.data() + (k1 - i1), side + k0,     side + k1};
  }
  for (;;) {
    // Steps that every merge can take without running out of either side.
    size_t steps = SIZE_MAX;
    for (const Merge& x : m) {
      steps = std::min({steps, static_cast<size_t>(x.ea - x.pa), static_cast<size_t>(x.eb - x.pb)});
    }
    if (steps == 0) break;
    const double* pa[kMerges];
    const double* pb[kMerges];
    uint8_t* out[kMerges];
    for (int s = 0; s < kMerges; ++s) {
      pa[s] = m[s].pa;
      pb[s] = m[s].pb;
      out[s] = m[s].out;
    }
    for (size_t t = 0; t < steps; ++t) {
#pragma GCC unroll 4
      for (int s = 0; s < kMerges; ++s) {
        const bool from_b = *pb[s] < *pa[s];
        out[s][t] = from_b;
        pa[s] += !from_b;
        pb[s] += from_b;
      }
    }
    for (int s = 0; s < kMerges; ++s) {
      m[s].pa = pa[s];
      m[s].pb = pb[s];
      m[s].out = out[s] + steps;
    }
  }
  for (Merge& x : m) x.Finish();
}

// if0 where mask is 0, if1 where it is all ones: a select the compiler cannot turn into a branch
// (the side a value comes from is a coin flip for continuous data).
double Select(double if0, double if1, uint64_t mask) {
  return std::bit_cast<double>((std::bit_cast<uint64_t>(if0) & ~mask) |
                               (std::bit_cast<uint64_t>(if1) & mask));
}

// The extremes of cddiffs over the values of a and over those of b, each with the index (in its
// sample) of the first value that attains it.
struct Extremes {
  double max_a = -std::numeric_limits<double>::infinity();
  double max_b = -std::numeric_limits<double>::infinity();
  double min_a = std::numeric_limits<double>::infinity();
  double min_b = std::numeric_limits<double>::infinity();
  size_t max_a_at = 0, max_b_at = 0, min_a_at = 0, min_b_at = 0;

  // A run of equal values ended: a's part of it is a[a_begin, a_end), b's b[b_begin, b_end),
  // and cddiffs there is `diff`. Strict comparisons keep the first index.
  void Run(double diff, size_t a_begin, size_t a_end, size_t b_begin, size_t b_end) {
    const bool in_a = a_end > a_begin, in_b = b_end > b_begin;
    if ((diff > max_a) & in_a) max_a = diff, max_a_at = a_begin;
    if ((diff < min_a) & in_a) min_a = diff, min_a_at = a_begin;
    if ((diff > max_b) & in_b) max_b = diff, max_b_at = b_begin;
    if ((diff < min_b) & in_b) min_b = diff, min_b_at = b_begin;
  }
};

// Walks the merged sequence given by `side`, position by position.
template <bool kKs, bool kWasserstein>
class Walk {
 public:
  Walk(std::span<const double> a, std::span<const double> b, const uint8_t* side)
      : a_(a.data()),
        b_(b.data()),
        side_(side),
        n_{static_cast<double>(a.size()), static_cast<double>(b.size())} {
    // The first value, so that each step below has the one before it.
    const bool from_b = *side_++;
    x_ = from_b ? b_[0] : a_[0];
    (from_b ? cb_ : ca_) = 1;
    (from_b ? fb_ : fa_) = 1.0 / n_[from_b];
  }

  // Takes the next `count` values; out[i] receives the Wasserstein term of the value before each
  // (|F_a - F_b| after it, times the gap to the taken one). The state lives in locals for the
  // loop, where the compiler keeps it in registers.
  void Take(size_t count, double* out) {
    size_t ca = ca_, cb = cb_, run_a = run_a_, run_b = run_b_;
    double fa = fa_, fb = fb_, x = x_;
    Extremes e = extremes_;
    const uintptr_t a = reinterpret_cast<uintptr_t>(a_), b = reinterpret_cast<uintptr_t>(b_);
    for (size_t t = 0; t < count; ++t) {
      const uint64_t from_b = side_[t];
      const uint64_t mask = 0 - from_b;
      const size_t i = (ca & ~mask) | (cb & mask);  // the index of the value in its sample
      const double next = reinterpret_cast<const double*>((a & ~mask) | (b & mask))[i];
      if constexpr (kKs) {
        // x's run of equal values ends here: every value <= x is counted in ca and cb.
        if (!(next == x)) {
          e.Run(fa - fb, run_a, ca, run_b, cb);
          run_a = ca;
          run_b = cb;
        }
      }
      // Within a run the gap is +-0.0, and so is the term whatever the counts: they are
      // searchsorted's only where it matters.
      if constexpr (kWasserstein) out[t] = std::fabs(fa - fb) * (next - x);
      ca += 1 - from_b;
      cb += from_b;
      const double f = static_cast<double>(i + 1) / n_[from_b];  // SciPy's count / n
      fa = Select(f, fa, mask);
      fb = Select(fb, f, mask);
      x = next;
    }
    side_ += count;
    ca_ = ca, cb_ = cb, run_a_ = run_a, run_b_ = run_b;
    fa_ = fa, fb_ = fb, x_ = x;
    extremes_ = e;
  }

  // After the last value.
  KsStatistic Ks() {
    extremes_.Run(fa_ - fb_, run_a_, ca_, run_b_, cb_);
    run_a_ = ca_, run_b_ = cb_;
    const Extremes& e = extremes_;
    // concatenate(a, b) lists a first: on equal extremes a's index is the first one.
    const double highest = std::max(e.max_a, e.max_b);
    const double highest_at = e.max_a >= e.max_b ? a_[e.max_a_at] : b_[e.max_b_at];
    const double lowest = std::min(e.min_a, e.min_b);
    const double lowest_at = e.min_a <= e.min_b ? a_[e.min_a_at] : b_[e.min_b_at];
    const double min_s = std::clamp(-lowest, 0.0, 1.0);
    KsStatistic s;
    if (min_s > highest) {
      s = {min_s, lowest_at, -1};
    } else {
      s = {highest, highest_at, 1};
    }
    return s;
  }

 private:
  const double* a_;
  const double* b_;
  const uint8_t* side_;  // of the next value
  const double n_[2];
  size_t ca_ = 0, cb_ = 0;        // values taken from a and from b
  size_t run_a_ = 0, run_b_ = 0;  // ... when the current run of equal values began
  double fa_ = 0.0, fb_ = 0.0;    // ca / n_a, cb / n_b
  double x_ = 0.0;                // the last value taken
  Extremes extremes_;
};

// numpy's pairwise sum (internal/pairwise_sum.h) of the next n terms of the walk, generated a
// block of at most 128 at a time, in order.
template <typename W>
double PairwiseSumOfTerms(size_t n, W& walk) {
  if (n <= 128) {
    double terms[128];
    walk.Take(n, terms);
    return internal::NumpyPairwiseSum(n, [&terms](size_t i) { return terms[i]; });
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  const double left = PairwiseSumOfTerms(n2, walk);  // in this order: the walk is sequential
  const double right = PairwiseSumOfTerms(n - n2, walk);
  return left + right;
}

template <bool kKs, bool kWasserstein>
SortedSampleComparison Compare(std::span<const double> a, std::span<const double> b) {
  std::vector<uint8_t> side(a.size() + b.size());
  MergeOrder(a, b, side.data());
  Walk<kKs, kWasserstein> walk(a, b, side.data());
  SortedSampleComparison r;
  const size_t steps = side.size() - 1;
  if constexpr (kWasserstein) {
    r.wasserstein = PairwiseSumOfTerms(steps, walk);
  } else {
    for (size_t done = 0; done < steps; done += 4096) {
      walk.Take(std::min<size_t>(4096, steps - done), nullptr);
    }
  }
  if constexpr (kKs) r.ks = walk.Ks();
  return r;
}

}  // namespace

SortedSampleComparison CompareSortedSamples(std::span<const double> a_sorted,
                                            std::span<const double> b_sorted, bool ks,
                                            bool wasserstein) {
  assert(!a_sorted.empty() && !b_sorted.empty());
  assert(std::is_sorted(a_sorted.begin(), a_sorted.end()));
  assert(std::is_sorted(b_sorted.begin(), b_sorted.end()));
  if (ks && wasserstein) return Compare<true, true>(a_sorted, b_sorted);
  if (ks) return Compare<true, false>(a_sorted, b_sorted);
  if (wasserstein) return Compare<false, true>(a_sorted, b_sorted);
  return {};
}

}  // namespace modelwatch
