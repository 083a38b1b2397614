#include "modelwatch/core/two_sample_sweep.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>

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

// The extremes of cddiffs over the values of a and over those of b, each with the index (in its
// sample) of the first value that attains it.
struct Extremes {
  double max_a = -std::numeric_limits<double>::infinity();
  double max_b = -std::numeric_limits<double>::infinity();
  double min_a = std::numeric_limits<double>::infinity();
  double min_b = std::numeric_limits<double>::infinity();
  size_t max_a_at = 0, max_b_at = 0, min_a_at = 0, min_b_at = 0;

  bool operator==(const Extremes&) const = default;

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

// The walk's position: the last value taken and what was counted up to it.
struct Position {
  const uint8_t* side;          // of the next value
  size_t ca = 0, cb = 0;        // values taken from a and from b
  size_t run_a = 0, run_b = 0;  // ... when the current run of equal values began
  double fa = 0.0, fb = 0.0;    // ca / n_a, cb / n_b
  double x = 0.0;               // the last value taken
};

// Walks the merged sequence given by `side`, value by value.
template <bool kKs, bool kWasserstein>
class Walk {
 public:
  Walk(std::span<const double> a, std::span<const double> b, const uint8_t* side)
      : a_(a.data()),
        b_(b.data()),
        n_{static_cast<double>(a.size()), static_cast<double>(b.size())} {
    // The first value, so that each step below has the one before it.
    const bool from_b = *side;
    p_.side = side + 1;
    p_.x = from_b ? b_[0] : a_[0];
    (from_b ? p_.cb : p_.ca) = 1;
    (from_b ? p_.fb : p_.fa) = 1.0 / n_[from_b];
  }

  // Takes the next `count` values; out[i] receives the Wasserstein term of the value before each
  // (|F_a - F_b| after it, times the gap to the taken one).
  //
  // The KS extremes need the first place where each is attained, which a branch per run would
  // give, but which way such a branch goes is irregular (ties; a trend in the differences). So
  // a block of values is walked without them first, and walked again, with the places, only
  // when its differences may hold a new extreme: rarely, but for the steepest parts of a
  // drifted column.
  void Take(size_t count, double* out) {
    constexpr size_t kBlock = 64;
    for (size_t done = 0; done < count; done += kBlock) {
      const size_t m = std::min(kBlock, count - done);
      if constexpr (kKs) {
        if (precise_) {
          // Stay with places while they change, or while runs are long (ties: discrete data,
          // where the branch per run end is as regular as it is rare).
          const Extremes before = extremes_;
          const size_t ends = Step<kWasserstein, kExtremes>(p_, m, out + done, &extremes_);
          precise_ = extremes_ != before || 4 * ends < m;
        } else {
          const Position start = p_;
          Step<kWasserstein, kNone, Extremes>(p_, m, out + done, nullptr);
          SetRunStart(start, m, &p_);
          // F_a and F_b only grow (count / n rounds monotonically, and so does a difference),
          // so each difference in the block lies in [lowest, highest].
          const double highest = p_.fa - start.fb;
          const double lowest = start.fa - p_.fb;
          const Extremes& e = extremes_;
          if ((highest > std::min(e.max_a, e.max_b)) | (lowest < std::max(e.min_a, e.min_b))) {
            Position again = start;
            Step<false, kExtremes>(again, m, nullptr, &extremes_);
            precise_ = true;
          }
        }
      } else {
        Step<kWasserstein, kNone, Extremes>(p_, m, out + done, nullptr);
      }
    }
  }

  // After the last value.
  KsStatistic Ks() {
    extremes_.Run(p_.fa - p_.fb, p_.run_a, p_.ca, p_.run_b, p_.cb);
    p_.run_a = p_.ca, p_.run_b = p_.cb;
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
  // Takes `count` values from `pos`, writing the Wasserstein terms (kTerms), and at the end of
  // each run of equal values (where every value <= x is counted in ca and cb) adding cddiffs
  // to `extremes` (kExtremes; then it returns the number of run ends). Without them (kNone)
  // the run fields of `pos` are left as they were (SetRunStart sets them).
  //
  // The loop carries only the two counts from one step to the next: F_a and F_b live in a
  // two-element array where each step stores the F of the side it takes (a store that depends
  // on nothing before it), and the position lives in locals, which the compiler keeps in
  // registers.
  enum Track { kNone, kExtremes };
  template <bool kTerms, Track kTrack, typename Tracked>
  size_t Step(Position& pos, size_t count, double* out, Tracked* tracked) const {
    const double* const samples[2] = {a_, b_};
    Position p = pos;
    double f[2] = {p.fa, p.fb};
    size_t ends = 0;
    for (size_t t = 0; t < count; ++t) {
      const uint64_t from_b = p.side[t];
      const size_t i = from_b ? p.cb : p.ca;  // the index of the value in its sample (a cmov)
      const double next = samples[from_b][i];
      const double diff = f[0] - f[1];
      if constexpr (kTrack == kExtremes) {
        if (!(next == p.x)) {
          tracked->Run(diff, p.run_a, p.ca, p.run_b, p.cb);
          p.run_a = p.ca;
          p.run_b = p.cb;
          ++ends;
        }
      }
      // Within a run the gap is +-0.0, and so is the term whatever the counts: they are
      // searchsorted's only where it matters.
      if constexpr (kTerms) out[t] = std::fabs(diff) * (next - p.x);
      p.ca += 1 - from_b;
      p.cb += from_b;
      f[from_b] = static_cast<double>(static_cast<int64_t>(i + 1)) / n_[from_b];  // count / n
      p.x = next;
    }
    p.side += count;
    p.fa = f[0];
    p.fb = f[1];
    pos = p;
    return ends;
  }

  // Sets end->run_a and end->run_b after Step<..., kNone> took `count` values from `start`
  // (whose run fields are current) to `end`: the counts before the first value of the run that
  // holds the last one, found by stepping back over that run (one value, but for ties).
  void SetRunStart(const Position& start, size_t count, Position* end) const {
    size_t ca = end->ca, cb = end->cb;
    for (size_t t = count; t-- > 0;) {
      const bool from_b = start.side[t];
      const double value = from_b ? b_[cb - 1] : a_[ca - 1];
      if (!(value == end->x)) {
        end->run_a = ca;
        end->run_b = cb;
        return;
      }
      (from_b ? cb : ca) -= 1;
    }
    // The run began before this block, or with it.
    if (start.x == end->x) {
      end->run_a = start.run_a;
      end->run_b = start.run_b;
    } else {
      end->run_a = ca;
      end->run_b = cb;
    }
  }

  const double* a_;
  const double* b_;
  const double n_[2];
  Position p_;
  Extremes extremes_;
  bool precise_ = true;  // track the extremes with their places, else bound each block first
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
  const size_t n = a.size() + b.size();
  const std::unique_ptr<uint8_t[]> side(new uint8_t[n]);  // not zeroed: MergeOrder writes all
  MergeOrder(a, b, side.get());
  Walk<kKs, kWasserstein> walk(a, b, side.get());
  SortedSampleComparison r;
  const size_t steps = n - 1;
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
