// Ranking primitives of the score metrics (declared in internal/score_ranking.h): the exact-mode
// radix sort, the tie-group sweep that turns (positives, negatives) per group, in descending score
// order, into ROC AUC and average precision, and the histogram estimate with its bounds.
// One sweep serves both modes: exact mode feeds it one group per distinct score, histogram mode one
// group per bin. Derivations: docs/score-metrics.md.

#include "internal/score_ranking.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "modelwatch/core/compensated_sum.h"

namespace modelwatch::score_internal {
namespace {

__extension__ typedef unsigned __int128 Uint128;

// Out of cache, most significant bits first: each scatter counts up to 2^15 values of the top
// varying bits (about 64 keys per value; 128 KiB of counters) and groups runs of them into
// buckets of about 2^14 keys; a bucket larger than kCacheKeys (256 KiB) is scattered again.
constexpr int kFineDigitBits = 15;
constexpr size_t kKeysPerFineDigit = 64;
constexpr size_t kTargetBucketKeys = size_t{1} << 14;
constexpr size_t kCacheKeys = size_t{1} << 15;
// In cache: digits of at most 12 bits (16 KiB of counters). A bucket whose keys vary in fewer
// than kLsdBits bits is sorted by (at most two) LSD passes; otherwise one more most-significant
// split makes runs of about kKeysPerLeaf keys, and runs of at most kInsertionSortKeys are
// finished by insertion sort (larger ones are split again).
constexpr int kMaxDigitBits = 12;
constexpr int kLsdBits = 2 * kMaxDigitBits;
constexpr size_t kKeysPerLeaf = 4;
constexpr size_t kInsertionSortKeys = 48;

using Segments = std::span<const std::span<const uint64_t>>;

// Bits of the score part (bit 1 up) that differ between some keys of the segments.
uint64_t VaryingBits(Segments segments) {
  uint64_t any = 0;
  uint64_t all = ~uint64_t{0};
  size_t m = 0;
  for (std::span<const uint64_t> keys : segments) {
    for (uint64_t key : keys) {
      any |= key;
      all &= key;
    }
    m += keys.size();
  }
  return m == 0 ? 0 : (any ^ all) & ~uint64_t{1};
}

uint64_t VaryingBits(const uint64_t* keys, size_t m) {
  const std::span<const uint64_t> one(keys, m);
  return VaryingBits(Segments(&one, 1));
}

// The radix sort behind SortScoreKeys and ExactRanking. The most-significant scatters place every
// bucket at its final position in the output buffer; each cache-sized bucket is then sorted in
// cache and handed to `sink(sorted, home, m)`: `sorted` points at the m sorted keys (in the
// output buffer, the cache buffer or the input), `home` at the bucket's place in the output
// buffer. Buckets come from the highest scores to the lowest and no score spans two buckets, so
// a sink can sweep them in descending order without the sorted array ever being written out.
template <typename Sink>
class KeySorter {
 public:
  KeySorter(SortScratch* scratch, Sink sink)
      : scratch_(scratch), cache_(scratch->cache(kCacheKeys)), sink_(std::move(sink)) {}

  // The first, out-of-cache pass alone: scatters the keys of `segments` (m in all, `varying`
  // their VaryingBits, m > kCacheKeys) into dst by their most significant bits. Returns the
  // bucket sizes in ascending order; no score spans two buckets.
  std::vector<size_t> ScatterTop(Segments segments, uint64_t* dst, size_t m, uint64_t varying) {
    return Scatter(segments, dst, m, varying);
  }

  // Sorts in place the consecutive buckets of `sizes` that start at `data` (from ScatterTop),
  // handing each to the sink, highest first.
  void SortBuckets(uint64_t* data, std::span<const size_t> sizes) {
    size_t m = 0;
    for (size_t c : sizes) m += c;
    FinishBuckets(data, m, sizes);
  }

  // Sorts src (any size, `varying` its VaryingBits) towards dst, a distinct output range.
  void Sort(const uint64_t* src, uint64_t* dst, size_t m, uint64_t varying) {
    const std::span<const uint64_t> one(src, m);
    SortSegments(Segments(&one, 1), dst, m, varying);
  }

  // Sorts the keys of `segments` (m in all, `varying` their VaryingBits) towards dst, a range
  // distinct from all of them. The first scatter reads the segments in place, so keys collected
  // in chunks are never concatenated.
  void SortSegments(Segments segments, uint64_t* dst, size_t m, uint64_t varying) {
    if (segments.size() == 1 && (varying == 0 || m <= kCacheKeys)) {
      const uint64_t* src = segments[0].data();
      if (varying == 0) {
        sink_(src, dst, m);
      } else {
        sink_(SortInCache(src, dst, m, cache_, varying), dst, m);
      }
    } else if (varying == 0 || m <= kCacheKeys) {
      uint64_t* out = dst;
      for (std::span<const uint64_t> keys : segments)
        out = std::copy(keys.begin(), keys.end(), out);
      const std::span<const uint64_t> joined(dst, m);
      SortSegments(Segments(&joined, 1), dst, m, varying);
    } else {
      const std::vector<size_t> sizes = Scatter(segments, dst, m, varying);
      FinishBuckets(dst, m, sizes);
    }
  }

 private:
  // Stable scatter of src into dst by the most significant bits, into buckets of about
  // kTargetBucketKeys whatever the distribution: the top (up to 15) varying bits are counted, and
  // runs of consecutive values of them grouped into one bucket until it would exceed the target
  // (a single value with more keys is a bucket of its own). Returns the bucket sizes, in order.
  std::vector<size_t> Scatter(Segments src, uint64_t* dst, size_t m, uint64_t varying) {
    // 32-bit counters keep the tables small (in cache) unless a count could overflow them.
    return m <= UINT32_MAX ? ScatterWith<uint32_t>(src, dst, m, varying)
                           : ScatterWith<uint64_t>(src, dst, m, varying);
  }
  std::vector<size_t> Scatter(const uint64_t* src, uint64_t* dst, size_t m, uint64_t varying) {
    const std::span<const uint64_t> one(src, m);
    return Scatter(Segments(&one, 1), dst, m, varying);
  }

  template <typename Count>
  std::vector<size_t> ScatterWith(Segments src, uint64_t* dst, size_t m, uint64_t varying) {
    const int high = 63 - std::countl_zero(varying);
    const int wanted = std::bit_width(m / kKeysPerFineDigit);
    const int width = std::clamp(wanted, 1, std::min(kFineDigitBits, high));
    const int shift = high - width + 1;
    const uint64_t mask = (uint64_t{1} << width) - 1;
    std::vector<Count> fine(size_t{1} << width, 0);
    for (std::span<const uint64_t> keys : src) {
      for (uint64_t key : keys) ++fine[(key >> shift) & mask];
    }
    // Group the fine digits; fine[d] becomes the bucket of digit d.
    std::vector<size_t> sizes;
    size_t size = 0;
    for (size_t d = 0; d < fine.size(); ++d) {
      const size_t c = fine[d];
      if (size > 0 && size + c > kTargetBucketKeys) {
        sizes.push_back(size);
        size = 0;
      }
      size += c;
      fine[d] = static_cast<Count>(sizes.size());
    }
    sizes.push_back(size);
    std::vector<Count> offsets(sizes.size());
    Count sum = 0;
    for (size_t b = 0; b < sizes.size(); ++b) {
      offsets[b] = sum;
      sum += static_cast<Count>(sizes[b]);
    }
    for (std::span<const uint64_t> keys : src) {
      for (uint64_t key : keys) dst[offsets[fine[(key >> shift) & mask]]++] = key;
    }
    return sizes;
  }

  // Sorts the buckets of `data` (m keys in the output buffer) in place, highest first.
  void FinishBuckets(uint64_t* data, size_t m, std::span<const size_t> sizes) {
    uint64_t* end = data + m;
    for (size_t b = sizes.size(); b-- > 0;) {
      const size_t c = sizes[b];
      end -= c;
      if (c > kCacheKeys) {
        SortLargeInPlace(end, c);
      } else if (c > 0) {
        sink_(SortInCache(end, end, c, cache_, VaryingBits(end, c)), end, c);
      }
    }
  }

  // A bucket too large for the cache (its keys share the top bits the last scatter looked at), in
  // the output buffer: scatter it into its spare twin by the next bits, then sort each part back.
  // The spare buffer is as large as the outermost such bucket; nested ones use their twin in it.
  void SortLargeInPlace(uint64_t* data, size_t m) {
    const uint64_t varying = VaryingBits(data, m);
    if (varying == 0) {
      sink_(data, data, m);
      return;
    }
    if (large_depth_ == 0) {
      spare_ = scratch_->spare(m);
      spare_origin_ = data;
    }
    ++large_depth_;
    uint64_t* spare = spare_ + (data - spare_origin_);
    const std::vector<size_t> sizes = Scatter(data, spare, m, varying);
    size_t end = m;
    for (size_t b = sizes.size(); b-- > 0;) {
      const size_t c = sizes[b];
      end -= c;
      if (c > 0) Sort(spare + end, data + end, c, VaryingBits(spare + end, c));
    }
    --large_depth_;
  }

  // Sorts src (at most kCacheKeys keys, `varying` its VaryingBits) in cache, with dst and tmp as
  // buffers: src may equal dst, tmp is distinct from both. Returns where the sorted keys lie (src,
  // dst or tmp). Below kInsertionSortKeys keys, insertion sort; if the keys vary in few bits
  // (float-valued or rounded scores), LSD passes; otherwise one more most-significant split into
  // tmp, into runs of about kKeysPerLeaf keys, each sorted the same way.
  const uint64_t* SortInCache(const uint64_t* src, uint64_t* dst, size_t m, uint64_t* tmp,
                              uint64_t varying) {
    if (varying == 0) return src;
    if (m <= kInsertionSortKeys) {
      if (src != dst) std::copy(src, src + m, dst);
      InsertionSort(dst, m);
      return dst;
    }
    const int high = 63 - std::countl_zero(varying);
    const int low = std::countr_zero(varying);
    if (high - low < kLsdBits) return SortLsd(src, dst, m, low, high, tmp);
    const int width = std::clamp(static_cast<int>(std::bit_width(m / kKeysPerLeaf)), 1,
                                 std::min(kMaxDigitBits, high));
    const int shift = high - width + 1;
    const uint64_t mask = (uint64_t{1} << width) - 1;
    const size_t radix = size_t{1} << width;
    // Counts, then offsets, then run ends; one table per nesting level (kept off the stack).
    if (depth_ == split_tables_.size()) {
      split_tables_.push_back(std::make_unique<uint32_t[]>(size_t{1} << kMaxDigitBits));
    }
    uint32_t* ends = split_tables_[depth_].get();
    std::fill(ends, ends + radix, 0);
    for (size_t i = 0; i < m; ++i) ++ends[(src[i] >> shift) & mask];
    uint32_t sum = 0;
    for (size_t d = 0; d < radix; ++d) {
      const uint32_t c = ends[d];
      ends[d] = sum;
      sum += c;
    }
    for (size_t i = 0; i < m; ++i) {
      const uint64_t key = src[i];
      tmp[ends[(key >> shift) & mask]++] = key;
    }
    size_t start = 0;
    for (size_t d = 0; d < radix; ++d) {
      const size_t c = ends[d] - start;
      uint64_t* run = tmp + start;
      if (c <= kInsertionSortKeys) {
        InsertionSort(run, c);
      } else {
        ++depth_;
        const uint64_t* sorted = SortInCache(run, run, c, dst + start, VaryingBits(run, c));
        --depth_;
        if (sorted != run) std::copy(sorted, sorted + c, run);
      }
      start = ends[d];
    }
    return tmp;
  }

  // LSD radix sort of src (varying bits [low, high]) alternating between tmp and dst; src may
  // equal dst, tmp is distinct from both. Returns where the sorted keys lie (dst or tmp).
  const uint64_t* SortLsd(const uint64_t* src, uint64_t* dst, size_t m, int low, int high,
                          uint64_t* tmp) {
    const int bits = high - low + 1;
    const int digits = (bits + kMaxDigitBits - 1) / kMaxDigitBits;
    const int width = (bits + digits - 1) / digits;
    const size_t radix = size_t{1} << width;
    const uint64_t mask = radix - 1;
    std::vector<uint32_t>& counts = scratch_->counts();
    counts.assign(static_cast<size_t>(digits) * radix, 0);
    for (size_t i = 0; i < m; ++i) {
      const uint64_t key = src[i];
      for (int d = 0; d < digits; ++d) ++counts[d * radix + ((key >> (low + width * d)) & mask)];
    }
    const uint64_t* from = src;
    for (int d = 0; d < digits; ++d) {
      uint32_t* offsets = &counts[d * radix];
      if (offsets[(src[0] >> (low + width * d)) & mask] == m) continue;  // constant digit
      uint32_t sum = 0;
      for (size_t v = 0; v < radix; ++v) {
        const uint32_t c = offsets[v];
        offsets[v] = sum;
        sum += c;
      }
      uint64_t* to = from == tmp ? dst : tmp;  // never the buffer being read
      const int shift = low + width * d;
      for (size_t i = 0; i < m; ++i) {
        const uint64_t key = from[i];
        to[offsets[(key >> shift) & mask]++] = key;
      }
      from = to;
    }
    return from;
  }

  static void InsertionSort(uint64_t* a, size_t m) {
    for (size_t i = 1; i < m; ++i) {
      const uint64_t key = a[i];
      const uint64_t score = key >> 1;
      size_t j = i;
      for (; j > 0 && (a[j - 1] >> 1) > score; --j) a[j] = a[j - 1];
      a[j] = key;
    }
  }

  SortScratch* scratch_;
  uint64_t* cache_;
  Sink sink_;
  uint64_t* spare_ = nullptr;         // twin of the outermost large bucket
  uint64_t* spare_origin_ = nullptr;  // that bucket, in the output buffer
  int large_depth_ = 0;
  size_t depth_ = 0;  // nesting of SortInCache
  std::vector<std::unique_ptr<uint32_t[]>> split_tables_;
};

// Up to this many positives in one histogram bin, the lower AP range of the bin is summed term
// by term; above it, bounded in closed form (see BelowTerm).
constexpr uint64_t kExactBelowTerms = 64;

// Accumulates ROC AUC and average precision over tie groups visited in descending score order.
//
// ROC AUC: 2U = sum over groups g of neg_g * (2 * pos_above_g + pos_g), i.e. every (positive,
// negative) pair counts 2 when the positive scores higher and 1 when tied (Mann-Whitney with
// midranks, equal to sklearn's trapezoidal ROC area); AUC = 2U / (2 P N), in integers.
// Average precision: sum over groups with positives of pos_g / P * TP_g / (TP_g + FP_g), with
// TP_g, FP_g counted down to and including group g (sklearn's one threshold per distinct score).
// With kBounds, each group is a histogram bin whose inner order is unknown, and the sweep also
// accumulates how far the exact value can lie below/above the estimate.
template <bool kBounds>
class TieGroupSweep {
 public:
  TieGroupSweep() = default;
  // A sweep that continues below groups holding `tp_above` positives and `fp_above` negatives.
  TieGroupSweep(uint64_t tp_above, uint64_t fp_above) : tp_(tp_above), fp_(fp_above) {}

  // Adds the sums of `below`, a sweep that started where this one ends (its start state was
  // this one's positives and negatives).
  void Continue(const TieGroupSweep& below) {
    two_u_ += below.two_u_;
    ties_ += below.ties_;
    ap_.Merge(below.ap_);
    ap_above_.Merge(below.ap_above_);
    ap_below_.Merge(below.ap_below_);
    tp_ = below.tp_;
    fp_ = below.fp_;
  }

  void Add(uint64_t pos, uint64_t neg) {
    two_u_ += static_cast<Uint128>(neg) * (2 * tp_ + pos);
    if (pos > 0) {
      const double p = static_cast<double>(pos);
      const double n = static_cast<double>(neg);
      const double tp0 = static_cast<double>(tp_);
      const double fp0 = static_cast<double>(fp_);
      const double tp1 = tp0 + p;
      const double all1 = tp1 + fp0 + n;  // rows at or above this group
      ap_.Add(p * tp1 / all1);
      if constexpr (kBounds) {
        ties_ += static_cast<Uint128>(pos) * neg;
        // Highest AP of the bin: its positives tied above its negatives, each at precision
        // tp1 / (tp1 + fp0); minus the estimate p * tp1 / all1.
        ap_above_.Add(p * tp1 * n / ((tp1 + fp0) * all1));
        ap_below_.Add(BelowTerm(pos, tp0, fp0, n));
      }
    }
    tp_ += pos;
    fp_ += neg;
  }

  RankingResult Finish() const {
    RankingResult r;
    r.positives = tp_;
    r.negatives = fp_;
    if (tp_ > 0 && fp_ > 0) {
      const double pairs2 = static_cast<double>(Uint128{2} * tp_ * fp_);
      RankedValue auc;
      auc.value = static_cast<double>(two_u_) / pairs2;
      auc.below = auc.above = static_cast<double>(ties_) / pairs2;
      r.roc_auc = auc;
    }
    if (tp_ > 0) {
      const double positives = static_cast<double>(tp_);
      RankedValue ap;
      ap.value = ap_.value() / positives;
      ap.below = std::max(0.0, ap_below_.value() / positives);
      ap.above = std::max(0.0, ap_above_.value() / positives);
      r.average_precision = ap;
    }
    return r;
  }

 private:
  // Estimate minus the lowest AP contribution of a bin (times P). Lowest: the bin's negatives
  // above its positives, the positives at distinct scores, the i-th at precision
  // (tp0 + i) / (D + i), D = tp0 + fp0 + n. With H = sum_{i=1..p} 1 / (D + i):
  //   estimate - lowest = sum_i ((tp0 + p) / (D + p) - (tp0 + i) / (D + i))
  //                     = (fp0 + n) / (D + p) * sum_i (p - i) / (D + i) = (fp0 + n) (H - p / (D +
  //                     p)).
  // Up to kExactBelowTerms positives the sum is exact; beyond, the first kExactBelowTerms terms of
  // H are summed and the tail bounded from above (docs/score-metrics.md): for x > 1/2, 1/x <=
  // integral_{x-1/2}^{x+1/2} dt/t - 1 / (12 (x + 1/2)^3) (midpoint rule, (1/t)'' = 2/t^3
  // decreasing), so sum_{i=a+1..p} 1/(D+i) <= log((D+p+1/2) / (D+a+1/2))
  //   - (1/(D+a+3/2)^2 - 1/(D+p+3/2)^2) / 24, over-stating H by O(1 / (D + a)^3) only.
  static double BelowTerm(uint64_t pos, double tp0, double fp0, double n) {
    const double wrong = fp0 + n;
    if (wrong == 0.0) return 0.0;
    const double p = static_cast<double>(pos);
    const double d = tp0 + wrong;
    if (pos <= kExactBelowTerms) {
      double s = 0.0;
      for (uint64_t i = 1; i < pos; ++i) {
        const double di = static_cast<double>(i);
        s += (p - di) / (d + di);
      }
      return wrong / (d + p) * s;
    }
    double h = 0.0;
    for (uint64_t i = 1; i <= kExactBelowTerms; ++i) h += 1.0 / (d + static_cast<double>(i));
    const double a = static_cast<double>(kExactBelowTerms);
    const double lo = d + a + 1.5;
    const double hi = d + p + 1.5;
    h += std::log1p((p - a) / (d + a + 0.5)) - (1.0 / (lo * lo) - 1.0 / (hi * hi)) / 24.0;
    return wrong * (h - p / (d + p));
  }

  uint64_t tp_ = 0;
  uint64_t fp_ = 0;
  Uint128 two_u_ = 0;
  Uint128 ties_ = 0;
  CompensatedSum ap_;
  CompensatedSum ap_above_;
  CompensatedSum ap_below_;
};

}  // namespace

std::span<const uint64_t> SortScoreKeys(std::span<const uint64_t> keys, SortScratch* scratch) {
  const size_t n = keys.size();
  const uint64_t varying = VaryingBits(keys.data(), n);
  if (varying == 0) return keys;
  uint64_t* output = scratch->output(n);
  auto place = [](const uint64_t* sorted, uint64_t* home, size_t m) {
    if (sorted != home) std::copy(sorted, sorted + m, home);
  };
  KeySorter<decltype(place)>(scratch, place).Sort(keys.data(), output, n, varying);
  return {output, n};
}

namespace {

// Sweeps the sorted keys [sorted, sorted + m), highest first, one tie group per distinct score.
template <typename Sweep>
void SweepSorted(const uint64_t* sorted, size_t m, Sweep& sweep) {
  size_t i = m;
  while (i > 0) {
    const uint64_t score_bits = sorted[i - 1] >> 1;
    uint64_t pos = 0;
    size_t j = i;
    do {
      --j;
      pos += sorted[j] & 1;
    } while (j > 0 && (sorted[j - 1] >> 1) == score_bits);
    sweep.Add(pos, (i - j) - pos);
    i = j;
  }
}

// Consecutive top-level buckets grouped into runs of at least kGroupKeys keys: the unit of
// parallel work in ExactRanking. The grouping depends on the data alone, so the result is the
// same whatever the number of threads.
constexpr size_t kGroupKeys = size_t{1} << 18;

struct BucketGroup {
  size_t first_bucket = 0;
  size_t buckets = 0;
  size_t offset = 0;  // of its first key in the output
  size_t keys = 0;
  uint64_t positives = 0;
};

std::vector<BucketGroup> GroupBuckets(const std::vector<size_t>& sizes) {
  std::vector<BucketGroup> groups;
  BucketGroup g;
  size_t offset = 0;
  for (size_t b = 0; b < sizes.size(); ++b) {
    g.buckets++;
    g.keys += sizes[b];
    offset += sizes[b];
    if (g.keys >= kGroupKeys || b + 1 == sizes.size()) {
      groups.push_back(g);
      g = BucketGroup{b + 1, 0, offset, 0, 0};
    }
  }
  return groups;
}

}  // namespace

RankingResult ExactRanking(std::span<const std::span<const uint64_t>> segments,
                           SortScratch* scratch, const ParallelFor& parallel_for) {
  size_t n = 0;
  for (std::span<const uint64_t> keys : segments) n += keys.size();
  const uint64_t varying = VaryingBits(segments);
  TieGroupSweep<false> sweep;
  if (n == 0) return sweep.Finish();
  if (varying == 0) {  // one score: one tie group
    uint64_t pos = 0;
    for (std::span<const uint64_t> keys : segments) {
      for (uint64_t key : keys) pos += key & 1;
    }
    sweep.Add(pos, n - pos);
    return sweep.Finish();
  }
  if (n <= kCacheKeys) {
    // Small: sorted in cache and swept as it is.
    auto sweep_bucket = [&sweep](const uint64_t* sorted, uint64_t*, size_t m) {
      SweepSorted(sorted, m, sweep);
    };
    KeySorter<decltype(sweep_bucket)>(scratch, sweep_bucket)
        .SortSegments(segments, scratch->output(n), n, varying);
    return sweep.Finish();
  }
  // Large: one scatter pass, then groups of buckets sorted in place and swept in parallel, each
  // group's sweep starting from the positives and negatives of the groups above it.
  uint64_t* const output = scratch->output(n);
  auto place = [](const uint64_t* sorted, uint64_t* home, size_t m) {
    if (sorted != home) std::copy(sorted, sorted + m, home);
  };
  const std::vector<size_t> sizes =
      KeySorter<decltype(place)>(scratch, place).ScatterTop(segments, output, n, varying);
  std::vector<BucketGroup> groups = GroupBuckets(sizes);
  auto for_groups = [&](const std::function<void(size_t begin, size_t end)>& body) {
    if (parallel_for) {
      parallel_for(groups.size(), body);
    } else {
      body(0, groups.size());
    }
  };
  for_groups([&](size_t begin, size_t end) {
    SortScratch local;
    KeySorter<decltype(place)> sorter(&local, place);
    for (size_t g = begin; g < end; ++g) {
      BucketGroup& group = groups[g];
      uint64_t* data = output + group.offset;
      sorter.SortBuckets(data,
                         std::span<const size_t>(sizes).subspan(group.first_bucket, group.buckets));
      for (size_t i = 0; i < group.keys; ++i) group.positives += data[i] & 1;
    }
  });
  // Positives and negatives above each group (groups ascend; the sweep descends).
  std::vector<std::pair<uint64_t, uint64_t>> above(groups.size());
  uint64_t tp = 0, fp = 0;
  for (size_t g = groups.size(); g-- > 0;) {
    above[g] = {tp, fp};
    tp += groups[g].positives;
    fp += groups[g].keys - groups[g].positives;
  }
  std::vector<TieGroupSweep<false>> parts(groups.size());
  for_groups([&](size_t begin, size_t end) {
    for (size_t g = begin; g < end; ++g) {
      parts[g] = TieGroupSweep<false>(above[g].first, above[g].second);
      SweepSorted(output + groups[g].offset, groups[g].keys, parts[g]);
    }
  });
  for (size_t g = groups.size(); g-- > 0;) sweep.Continue(parts[g]);
  return sweep.Finish();
}

RankingResult ExactRanking(std::span<const uint64_t> keys, SortScratch* scratch) {
  return ExactRanking(std::span<const std::span<const uint64_t>>(&keys, 1), scratch, nullptr);
}

RankingResult HistogramRanking(std::span<const uint64_t> counts) {
  TieGroupSweep<true> sweep;
  for (size_t b = counts.size() / 2; b-- > 0;) {
    const uint64_t neg = counts[2 * b];
    const uint64_t pos = counts[2 * b + 1];
    if (pos != 0 || neg != 0) sweep.Add(pos, neg);
  }
  return sweep.Finish();
}

void MergeCalibration(std::span<const CalibrationBin> from, std::span<CalibrationBin> into) {
  for (size_t b = 0; b < from.size() && b < into.size(); ++b) {
    into[b].count += from[b].count;
    into[b].hits += from[b].hits;
    into[b].prob_sum.Merge(from[b].prob_sum);
  }
}

void EncodeSum(const CompensatedSum& sum, ByteWriter& out) {
  out.PutDouble(sum.sum());
  out.PutDouble(sum.compensation());
}

Result<CompensatedSum> DecodeSum(ByteReader& in, std::string_view what) {
  MW_ASSIGN_OR_RETURN(const double sum, in.ReadDouble(what));
  MW_ASSIGN_OR_RETURN(const double compensation, in.ReadDouble(what));
  return CompensatedSum::FromParts(sum, compensation);
}

void EncodeCalibration(std::span<const CalibrationBin> bins, ByteWriter& out) {
  for (const CalibrationBin& bin : bins) {
    out.PutVarint(bin.count);
    out.PutVarint(bin.hits);
    EncodeSum(bin.prob_sum, out);
  }
}

Status DecodeCalibration(ByteReader& in, std::span<CalibrationBin> bins) {
  for (CalibrationBin& bin : bins) {
    const size_t at = in.offset();
    MW_ASSIGN_OR_RETURN(bin.count, in.ReadVarint("calibration bin count"));
    MW_ASSIGN_OR_RETURN(bin.hits, in.ReadVarint("calibration bin hits"));
    MW_ASSIGN_OR_RETURN(bin.prob_sum, DecodeSum(in, "calibration bin probability sum"));
    if (bin.hits > bin.count) return in.Corrupt(at, "calibration bin has more hits than rows");
  }
  return Status::Ok();
}

void EncodeSparseCounts(std::span<const uint64_t> counts, ByteWriter& out) {
  uint64_t nonzero = 0;
  for (uint64_t c : counts) nonzero += c != 0;
  out.PutVarint(nonzero);
  size_t previous = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    out.PutVarint(i - previous);
    out.PutVarint(counts[i]);
    previous = i;
  }
}

Status DecodeSparseCounts(ByteReader& in, std::span<uint64_t> counts, std::string_view what) {
  std::fill(counts.begin(), counts.end(), 0);
  MW_ASSIGN_OR_RETURN(const uint64_t nonzero, in.ReadCount(what, counts.size(), 2));
  size_t index = 0;
  for (uint64_t e = 0; e < nonzero; ++e) {
    const size_t at = in.offset();
    MW_ASSIGN_OR_RETURN(const uint64_t gap, in.ReadVarint(what));
    MW_ASSIGN_OR_RETURN(const uint64_t value, in.ReadVarint(what));
    // index < counts.size() here, so the subtraction cannot wrap.
    if ((e > 0 && gap == 0) || gap >= counts.size() - index || value == 0) {
      return in.Corrupt(at, std::string(what) + ": entry out of range or zero");
    }
    index += gap;
    counts[index] = value;
  }
  return Status::Ok();
}

std::optional<double> ExpectedCalibrationError(std::span<const CalibrationBin> bins) {
  uint64_t total = 0;
  for (const CalibrationBin& bin : bins) total += bin.count;
  if (total == 0) return std::nullopt;
  const double n = static_cast<double>(total);
  CompensatedSum ece;
  for (const CalibrationBin& bin : bins) {
    if (bin.count == 0) continue;
    const double count = static_cast<double>(bin.count);
    const double accuracy = static_cast<double>(bin.hits) / count;  // calibration_curve prob_true
    const double confidence = bin.prob_sum.value() / count;         // prob_pred
    ece.Add(count / n * std::abs(accuracy - confidence));
  }
  return ece.value();
}

}  // namespace modelwatch::score_internal
