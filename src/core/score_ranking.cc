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
// In cache: digits of at most 13 bits (32 KiB of counters). A bucket whose keys vary in fewer
// than kLsdBits bits is sorted by (at most two) LSD passes; otherwise one more most-significant
// split makes runs of about kKeysPerLeaf keys (1 to 2: few keys are out of place, and one
// insertion sort over the bucket finishes them), and runs of at most kInsertionSortKeys are
// finished by insertion sort (larger ones are split again).
constexpr int kMaxDigitBits = 13;
constexpr int kLsdBits = 2 * kMaxDigitBits;
constexpr size_t kKeysPerLeaf = 1;
constexpr size_t kInsertionSortKeys = 48;

using Segments = std::span<const std::span<const uint64_t>>;

// Parts of the input of a parallel ExactRanking (the result does not depend on them).
constexpr size_t kParallelParts = 8;

// The OR and the AND of the keys of some segments.
struct KeyBits {
  uint64_t any = 0;
  uint64_t all = ~uint64_t{0};
  void Merge(const KeyBits& other) {
    any |= other.any;
    all &= other.all;
  }
  // Bits of the score part (bit 1 up) that differ between some of the keys.
  uint64_t varying() const {
    return any == 0 && all == ~uint64_t{0} ? 0 : (any ^ all) & ~uint64_t{1};
  }
};

KeyBits BitsOf(Segments segments) {
  KeyBits bits;
  for (std::span<const uint64_t> keys : segments) {
    for (uint64_t key : keys) {
      bits.any |= key;
      bits.all &= key;
    }
  }
  return bits;
}

uint64_t VaryingBits(const uint64_t* keys, size_t m) {
  const std::span<const uint64_t> one(keys, m);
  return BitsOf(Segments(&one, 1)).varying();
}

// Segments cut into `count` parts of nearly equal numbers of keys (n in all), in order: the units
// of a parallel scatter.
std::vector<std::vector<std::span<const uint64_t>>> SplitParts(Segments segments, size_t n,
                                                               size_t count) {
  std::vector<std::vector<std::span<const uint64_t>>> parts(count);
  size_t part = 0;
  size_t part_end = n / count;  // part p holds keys [p * n / count, (p + 1) * n / count)
  size_t seen = 0;              // keys before the current segment
  for (std::span<const uint64_t> keys : segments) {
    size_t at = 0;
    while (at < keys.size()) {
      while (seen + at >= part_end) part_end = (++part + 1) * n / count;  // the last ends at n
      const size_t take = std::min(keys.size() - at, part_end - (seen + at));
      parts[part].push_back(keys.subspan(at, take));
      at += take;
    }
    seen += keys.size();
  }
  return parts;
}

// One bucket of a most-significant scatter: its keys and, when the scatter counts them, how many
// of those are positive. A bucket that is not `stored` holds negatives only: its keys were
// counted, not written (their order changes neither ROC AUC nor average precision).
struct Bucket {
  size_t keys = 0;
  uint64_t positives = 0;
  bool stored = true;
};

// Stable scatter of the keys of `parts` (m in all) into an output by their most significant
// bits, into buckets of about kTargetBucketKeys whatever the distribution: the (up to 15) bits
// that end at the top varying bit are counted (CountDigits), and runs of consecutive values of them
// grouped into one bucket until it would exceed the target (a single value with more keys is a
// bucket of its own) (Scatter). The buckets come in ascending score order; no score spans two.
// The parts are counted and scattered independently, on `parallel_for`; within a bucket, the
// keys of a part follow those of the parts before it, so the output does not depend on the
// threads. With kPositives, the counting pass also counts each digit's positives, and the keys
// of runs of digits without a positive are not written: they form buckets that are not `stored`
// (most keys of a class with low scores are such negatives), and each part p writes them, one
// over the other, to the slot dst[m + p] (dst holds m + parts.size() keys). Count is the
// counters' type, large enough for m + parts.size().
template <typename Count, bool kPositives>
class TopScatter {
 public:
  TopScatter(std::span<const Segments> parts, size_t m, const ParallelFor& parallel_for)
      : parts_(parts),
        m_(m),
        parallel_for_(parallel_for),
        fine_(parts.size()),
        fine_positives_(parts.size()),
        part_bits_(parts.size()) {}

  // The counting pass, on the bits that end at bit `high` (the top varying bit, or a guess at
  // least as high: the bits above the varying ones are constant, and the count is only coarser);
  // it also computes bits(), the OR and AND of all keys.
  void CountDigits(int high) {
    const int wanted = std::bit_width(m_ / kKeysPerFineDigit);
    const int width = std::clamp(wanted, 1, std::min(kFineDigitBits, high));
    shift_ = high - width + 1;
    mask_ = (uint64_t{1} << width) - 1;
    digits_ = size_t{1} << width;
    RunParallelFor(parallel_for_, parts_.size(), [&](size_t begin, size_t end) {
      for (size_t p = begin; p < end; ++p) {
        std::vector<Count>& counts = fine_[p];
        std::vector<Count>& positives = fine_positives_[p];
        counts.assign(digits_, 0);
        if constexpr (kPositives) positives.assign(digits_, 0);
        KeyBits bits;
        for (std::span<const uint64_t> keys : parts_[p]) {
          for (uint64_t key : keys) {
            bits.any |= key;
            bits.all &= key;
            const size_t d = (key >> shift_) & mask_;
            ++counts[d];
            if constexpr (kPositives) positives[d] += static_cast<Count>(key & 1);
          }
        }
        part_bits_[p] = bits;
      }
    });
    bits_ = KeyBits{};
    for (const KeyBits& b : part_bits_) bits_.Merge(b);
  }

  const KeyBits& bits() const { return bits_; }

  // Groups the counted digits into buckets and scatters the keys into dst; returns the buckets.
  std::vector<Bucket> Scatter(uint64_t* dst) {
    std::vector<Count> bucket_of(digits_);
    std::vector<Bucket> buckets;
    Bucket bucket;
    for (size_t d = 0; d < digits_; ++d) {
      size_t c = 0;
      for (const std::vector<Count>& counts : fine_) c += counts[d];
      uint64_t positives = 0;
      if constexpr (kPositives) {
        for (const std::vector<Count>& part_positives : fine_positives_) {
          positives += part_positives[d];
        }
      }
      if (c == 0) {  // no key has this digit: it is never looked up
        bucket_of[d] = static_cast<Count>(buckets.size());
        continue;
      }
      const bool stored = !kPositives || positives > 0;
      if (bucket.keys > 0 &&
          (stored != bucket.stored || (stored && bucket.keys + c > kTargetBucketKeys))) {
        buckets.push_back(bucket);
        bucket = Bucket{};
      }
      if (bucket.keys == 0) bucket.stored = stored;
      bucket.keys += c;
      bucket.positives += positives;
      bucket_of[d] = static_cast<Count>(buckets.size());
    }
    buckets.push_back(bucket);
    // Each part's next output index per bucket; for a bucket not stored, its trash slot.
    std::vector<std::vector<Count>> next(parts_.size(), std::vector<Count>(buckets.size(), 0));
    for (size_t p = 0; p < parts_.size(); ++p) {
      for (size_t d = 0; d < digits_; ++d) next[p][bucket_of[d]] += fine_[p][d];
    }
    std::vector<uint8_t> step(buckets.size(), 1);  // how far a write advances the index
    Count start = 0;
    for (size_t b = 0; b < buckets.size(); ++b) {
      step[b] = buckets[b].stored ? 1 : 0;
      for (size_t p = 0; p < parts_.size(); ++p) {
        Count& offset = next[p][b];
        const Count c = offset;
        offset = buckets[b].stored ? start : static_cast<Count>(m_ + p);
        start += buckets[b].stored ? c : 0;
      }
    }
    const int shift = shift_;
    const uint64_t mask = mask_;
    RunParallelFor(parallel_for_, parts_.size(), [&](size_t begin, size_t end) {
      for (size_t p = begin; p < end; ++p) {
        Count* const offsets = next[p].data();
        for (std::span<const uint64_t> keys : parts_[p]) {
          if constexpr (kPositives) {
            for (uint64_t key : keys) {
              const Count b = bucket_of[(key >> shift) & mask];
              dst[offsets[b]] = key;
              offsets[b] += step[b];
            }
          } else {
            for (uint64_t key : keys) dst[offsets[bucket_of[(key >> shift) & mask]]++] = key;
          }
        }
      }
    });
    return buckets;
  }

 private:
  std::span<const Segments> parts_;
  size_t m_;
  const ParallelFor& parallel_for_;
  int shift_ = 0;
  uint64_t mask_ = 0;
  size_t digits_ = 0;
  std::vector<std::vector<Count>> fine_;  // per part: keys per digit
  std::vector<std::vector<Count>> fine_positives_;
  std::vector<KeyBits> part_bits_;
  KeyBits bits_;
};

// The top varying bit (varying != 0).
int TopBit(uint64_t varying) { return 63 - std::countl_zero(varying); }

// The scatter of TopScatter for keys whose VaryingBits are known (`varying` != 0), every key
// stored (no positives counted): the scatter of a bucket too large for the cache.
std::vector<Bucket> ScatterByTopBits(std::span<const Segments> parts, uint64_t* dst, size_t m,
                                     uint64_t varying, const ParallelFor& parallel_for) {
  // 32-bit counters keep the tables small (in cache) unless a count could overflow them.
  if (m <= UINT32_MAX) {
    TopScatter<uint32_t, false> top(parts, m, parallel_for);
    top.CountDigits(TopBit(varying));
    return top.Scatter(dst);
  }
  TopScatter<uint64_t, false> top(parts, m, parallel_for);
  top.CountDigits(TopBit(varying));
  return top.Scatter(dst);
}

// How far above the top varying bit of a sample of the keys the first count of ExactRanking
// looks (see FirstScatter), and the sample: this many keys from each end.
constexpr int kGuessMarginBits = 2;
constexpr size_t kSampleKeys = 4096;

// The OR and AND of up to kSampleKeys keys from each end of the segments.
KeyBits SampleBits(Segments segments) {
  KeyBits bits;
  size_t left = kSampleKeys;
  for (auto it = segments.begin(); it != segments.end() && left > 0; ++it) {
    const std::span<const uint64_t> head = it->first(std::min(left, it->size()));
    bits.Merge(BitsOf(Segments(&head, 1)));
    left -= head.size();
  }
  left = kSampleKeys;
  for (auto it = segments.rbegin(); it != segments.rend() && left > 0; ++it) {
    const std::span<const uint64_t> tail = it->last(std::min(left, it->size()));
    bits.Merge(BitsOf(Segments(&tail, 1)));
    left -= tail.size();
  }
  return bits;
}

// The first scatter of ExactRanking, of the keys of `parts` (m of them, more than kCacheKeys)
// into dst, without a pass of its own for their bits: the counting pass computes them, on bits
// guessed from a sample of the keys with a margin; only when the guess was too low (a key far
// out of the sample's range, such as a score of 0 among probabilities) are the keys counted
// again. It counts positives, so buckets of negatives only are not stored (dst holds
// m + parts.size() keys, see TopScatter). Sets *bits; returns no buckets when every key has the
// same score.
template <typename Count>
std::vector<Bucket> FirstScatter(std::span<const Segments> parts, Segments segments, size_t m,
                                 uint64_t* dst, const ParallelFor& parallel_for, KeyBits* bits) {
  TopScatter<Count, /*kPositives=*/true> top(parts, m, parallel_for);
  const uint64_t sample = SampleBits(segments).varying();
  int counted = -1;  // the bit the count ends at
  if (sample != 0) {
    counted = std::min(62, TopBit(sample) + kGuessMarginBits);
    top.CountDigits(counted);
    *bits = top.bits();
  } else {
    std::vector<KeyBits> part_bits(parts.size());
    RunParallelFor(parallel_for, parts.size(), [&](size_t begin, size_t end) {
      for (size_t p = begin; p < end; ++p) part_bits[p] = BitsOf(parts[p]);
    });
    *bits = KeyBits{};
    for (const KeyBits& b : part_bits) bits->Merge(b);
  }
  const uint64_t varying = bits->varying();
  if (varying == 0) return {};
  if (counted < TopBit(varying)) top.CountDigits(TopBit(varying));
  return top.Scatter(dst);
}

std::vector<Bucket> FirstScatter(std::span<const Segments> parts, Segments segments, size_t m,
                                 uint64_t* dst, const ParallelFor& parallel_for, KeyBits* bits) {
  // Count must also hold the trash slots' indexes, m + part.
  return m <= UINT32_MAX - kParallelParts
             ? FirstScatter<uint32_t>(parts, segments, m, dst, parallel_for, bits)
             : FirstScatter<uint64_t>(parts, segments, m, dst, parallel_for, bits);
}

void InsertionSort(uint64_t* a, size_t m) {
  for (size_t i = 1; i < m; ++i) {
    const uint64_t key = a[i];
    const uint64_t score = key >> 1;
    size_t j = i;
    for (; j > 0 && (a[j - 1] >> 1) > score; --j) a[j] = a[j - 1];
    a[j] = key;
  }
}

// Insertion sort for nearly sorted keys (most of them at most one place from home): the first
// step of each insertion is a branch-free compare-exchange, the rest a loop taken rarely.
void NearlySortedInsertionSort(uint64_t* a, size_t m) {
  if (m < 2) return;
  uint64_t prev = a[0];
  for (size_t i = 1; i < m; ++i) {
    const uint64_t key = a[i];
    const bool swap = (prev >> 1) > (key >> 1);
    const uint64_t low = swap ? key : prev;
    const uint64_t high = swap ? prev : key;
    a[i - 1] = low;
    a[i] = high;
    prev = high;
    if (swap && i >= 2 && (a[i - 2] >> 1) > (key >> 1)) [[unlikely]] {
      size_t j = i - 1;
      for (; j > 0 && (a[j - 1] >> 1) > (key >> 1); --j) a[j] = a[j - 1];
      a[j] = key;
    }
  }
}

// The radix sort behind SortScoreKeys and ExactRanking, most significant bits first. It hands the
// sorted keys to `visit(sorted, m)` in runs, from the highest scores to the lowest, each as soon
// as it is sorted (while it is in cache); no score spans two runs, so a visitor can sweep tie
// groups without the sorted array ever being written out. A visitor with a member
// Negatives(count) does not need the keys of a run without positives (their order among
// themselves changes neither ROC AUC nor average precision): such runs are counted, not sorted,
// and handed over as their number of negatives, in their place in the order.
template <typename Visit>
class RunSorter {
  static constexpr bool kSkipsNegativeRuns = requires(Visit & v) { v.Negatives(uint64_t{0}); };

 public:
  explicit RunSorter(Visit& visit) : visit_(visit) {}

  // Sorts the m keys at src (`varying` their VaryingBits) and visits them; `free` is a distinct
  // range of m keys. Both ranges are clobbered.
  void Sort(uint64_t* src, uint64_t* free, size_t m, uint64_t varying) {
    if (varying == 0) {
      visit_(src, m);
    } else if (m <= kInsertionSortKeys) {
      InsertionSort(src, m);
      visit_(src, m);
    } else if (m > kCacheKeys) {
      SortLarge(src, free, m, varying);
    } else {
      const int high = 63 - std::countl_zero(varying);
      const int low = std::countr_zero(varying);
      if (high - low < kLsdBits) {
        visit_(SortLsd(src, free, m, low, high), m);
      } else {
        Split(src, free, m, high);
      }
    }
  }

 private:
  // Out of cache (its keys share the top bits the last scatter looked at): scattered into `free`
  // by the next bits, then each part sorted with its old place in src as free space.
  void SortLarge(uint64_t* src, uint64_t* free, size_t m, uint64_t varying) {
    const std::span<const uint64_t> one(src, m);
    const Segments whole(&one, 1);
    const std::vector<Bucket> buckets =
        ScatterByTopBits(std::span<const Segments>(&whole, 1), free, m, varying, nullptr);
    size_t end = m;
    for (size_t b = buckets.size(); b-- > 0;) {
      const size_t c = buckets[b].keys;
      end -= c;
      if (c > 0) Sort(free + end, src + end, c, VaryingBits(free + end, c));
    }
  }

  // In cache, keys varying in kLsdBits bits or more: one most-significant split from src into
  // `free`, into runs of about kKeysPerLeaf keys; each run is finished in place (insertion sort,
  // or sorted again with its old place in src as free space) and visited, highest first.
  void Split(uint64_t* src, uint64_t* free, size_t m, int high) {
    const int width = std::clamp(static_cast<int>(std::bit_width(m / kKeysPerLeaf)), 1,
                                 std::min(kMaxDigitBits, high));
    const int shift = high - width + 1;
    const uint64_t mask = (uint64_t{1} << width) - 1;
    const size_t radix = size_t{1} << width;
    // Tables per nesting level (kept off the stack): counts, then run ends; for SplitSkipping
    // also the digits of the runs it keeps and the negatives it skips below each.
    if (depth_ == tables_.size()) {
      tables_.push_back(std::make_unique<uint32_t[]>(3 * (size_t{1} << kMaxDigitBits)));
    }
    if constexpr (kSkipsNegativeRuns) {
      SplitSkipping(src, free, m, shift, mask, radix);
      return;
    }
    uint32_t* ends = tables_[depth_].get();
    std::fill(ends, ends + radix, 0);
    for (size_t i = 0; i < m; ++i) ++ends[(src[i] >> shift) & mask];
    uint32_t sum = 0;
    uint32_t largest = 0;
    for (size_t d = 0; d < radix; ++d) {
      const uint32_t c = ends[d];
      largest = std::max(largest, c);
      ends[d] = sum;
      sum += c;
    }
    for (size_t i = 0; i < m; ++i) {
      const uint64_t key = src[i];
      free[ends[(key >> shift) & mask]++] = key;
    }
    if (largest <= kInsertionSortKeys) {
      // Every run is short: one insertion sort over all of them, which moves keys only within
      // their run (the runs are in order), then one visit.
      NearlySortedInsertionSort(free, m);
      visit_(free, m);
      return;
    }
    // ends[d] is now the end of run d.
    ++depth_;
    for (size_t d = radix; d-- > 0;) {
      const size_t start = d == 0 ? 0 : ends[d - 1];
      const size_t c = ends[d] - start;
      if (c == 0) continue;
      uint64_t* run = free + start;
      if (c <= kInsertionSortKeys) {
        InsertionSort(run, c);
        visit_(run, c);
      } else {
        Sort(run, src + start, c, VaryingBits(run, c));
      }
    }
    --depth_;
  }

  // Split for a visitor that takes negatives by number: per digit, keys and positives are
  // counted; only the runs with a positive are scattered (in order, to the front of `free`) and
  // sorted; the keys of the others go to a slot that nothing reads, and are visited as a count
  // between the kept runs.
  void SplitSkipping(uint64_t* src, uint64_t* free, size_t m, int shift, uint64_t mask,
                     size_t radix) {
    static_assert(kCacheKeys < (size_t{1} << 16));  // a count or an index fits 16 bits
    uint32_t* const counts = tables_[depth_].get();
    uint32_t* const kept = counts + (size_t{1} << kMaxDigitBits);  // digits of kept runs, ascending
    uint32_t* const gaps = kept + (size_t{1} << kMaxDigitBits);    // negatives skipped below each
    std::fill(counts, counts + radix, 0);
    // Keys in the low 16 bits, positives in the high 16.
    for (size_t i = 0; i < m; ++i) {
      const uint64_t key = src[i];
      counts[(key >> shift) & mask] += 1 + (static_cast<uint32_t>(key & 1) << 16);
    }
    // Each digit's next output index: a kept run's with bit 16 set, so that adding the entry's
    // high half advances it; a skipped run's is the last slot, m - 1, which no kept key reaches
    // when any key is skipped. Without branches: which runs hold a positive is data.
    const uint32_t trash = static_cast<uint32_t>(m - 1);
    uint32_t sum = 0;
    uint32_t skipped = 0;
    uint32_t largest = 0;
    size_t runs = 0;
    for (size_t d = 0; d < radix; ++d) {
      const uint32_t c = counts[d] & 0xFFFF;
      const bool keep = counts[d] > 0xFFFF;
      kept[runs] = static_cast<uint32_t>(d);
      gaps[runs] = skipped;
      counts[d] = keep ? (uint32_t{1} << 16) | sum : trash;
      sum += keep ? c : 0;
      largest = std::max(largest, keep ? c : 0);
      skipped = keep ? 0 : skipped + c;
      runs += keep;
    }
    for (size_t i = 0; i < m; ++i) {
      const uint64_t key = src[i];
      uint32_t& next = counts[(key >> shift) & mask];
      free[next & 0xFFFF] = key;
      next += next >> 16;
    }
    // counts[kept[r]] & 0xFFFF is now the end of kept run r.
    auto end_of = [&](size_t r) -> size_t { return r == 0 ? 0 : counts[kept[r - 1]] & 0xFFFF; };
    if (largest <= kInsertionSortKeys) NearlySortedInsertionSort(free, sum);
    visit_.Negatives(skipped);  // above the highest kept run
    ++depth_;
    for (size_t r = runs; r-- > 0;) {
      const size_t start = end_of(r);
      const size_t c = (counts[kept[r]] & 0xFFFF) - start;
      uint64_t* const run = free + start;
      if (largest <= kInsertionSortKeys) {
        visit_(run, c);
      } else if (c <= kInsertionSortKeys) {
        InsertionSort(run, c);
        visit_(run, c);
      } else {
        Sort(run, src + start, c, VaryingBits(run, c));
      }
      visit_.Negatives(gaps[r]);
    }
    --depth_;
  }

  // LSD radix sort of src (varying bits [low, high]) alternating between `free` and src. Returns
  // where the sorted keys lie.
  const uint64_t* SortLsd(uint64_t* src, uint64_t* free, size_t m, int low, int high) {
    const int bits = high - low + 1;
    const int digits = (bits + kMaxDigitBits - 1) / kMaxDigitBits;
    const int width = (bits + digits - 1) / digits;
    const size_t radix = size_t{1} << width;
    const uint64_t mask = radix - 1;
    counts_.assign(static_cast<size_t>(digits) * radix, 0);
    for (size_t i = 0; i < m; ++i) {
      const uint64_t key = src[i];
      for (int d = 0; d < digits; ++d) ++counts_[d * radix + ((key >> (low + width * d)) & mask)];
    }
    uint64_t* from = src;
    for (int d = 0; d < digits; ++d) {
      uint32_t* offsets = &counts_[d * radix];
      if (offsets[(src[0] >> (low + width * d)) & mask] == m) continue;  // constant digit
      uint32_t sum = 0;
      for (size_t v = 0; v < radix; ++v) {
        const uint32_t c = offsets[v];
        offsets[v] = sum;
        sum += c;
      }
      uint64_t* to = from == src ? free : src;
      const int shift = low + width * d;
      for (size_t i = 0; i < m; ++i) {
        const uint64_t key = from[i];
        to[offsets[(key >> shift) & mask]++] = key;
      }
      from = to;
    }
    return from;
  }

  Visit& visit_;
  size_t depth_ = 0;  // nesting of Split
  std::vector<std::unique_ptr<uint32_t[]>> tables_;
  std::vector<uint32_t> counts_;
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

  // A sweep that continues below this one: starting from its positives and negatives.
  TieGroupSweep Below() const { return TieGroupSweep(tp_, fp_); }

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

// A RunSorter visitor that sweeps: sorted runs tie group by tie group, runs of negatives by their
// number alone.
template <typename Sweep>
class SweepVisitor {
 public:
  explicit SweepVisitor(Sweep& sweep) : sweep_(sweep) {}
  void operator()(const uint64_t* run, size_t m) { SweepSorted(run, m, sweep_); }
  void Negatives(uint64_t count) { sweep_.Add(0, count); }

 private:
  Sweep& sweep_;
};

// Consecutive top-level buckets grouped into runs of at least kGroupKeys keys: the unit of
// parallel work in ExactRanking, each swept from the positives and negatives above it. The
// grouping depends on the data alone, so the result is the same whatever the number of threads.
constexpr size_t kGroupKeys = size_t{1} << 18;

struct BucketGroup {
  size_t first_bucket = 0;
  size_t buckets = 0;
  size_t offset = 0;       // of its first stored key in the output
  size_t keys = 0;         // all of its keys, stored or only counted
  size_t stored_keys = 0;  // the keys in the output (the work)
  uint64_t positives = 0;
};

std::vector<BucketGroup> GroupBuckets(const std::vector<Bucket>& buckets) {
  std::vector<BucketGroup> groups;
  BucketGroup g;
  size_t offset = 0;
  for (size_t b = 0; b < buckets.size(); ++b) {
    const size_t stored = buckets[b].stored ? buckets[b].keys : 0;
    g.buckets++;
    g.keys += buckets[b].keys;
    g.stored_keys += stored;
    g.positives += buckets[b].positives;
    offset += stored;
    if (g.stored_keys >= kGroupKeys || b + 1 == buckets.size()) {
      groups.push_back(g);
      g = BucketGroup{b + 1, 0, offset, 0, 0, 0};
    }
  }
  return groups;
}

}  // namespace

std::span<const uint64_t> SortScoreKeys(std::span<const uint64_t> keys, SortScratch* scratch) {
  const size_t n = keys.size();
  const uint64_t varying = VaryingBits(keys.data(), n);
  if (varying == 0) return keys;
  uint64_t* const src = scratch->output(n);
  std::copy(keys.begin(), keys.end(), src);
  uint64_t* const sorted = scratch->sorted(n);
  size_t end = n;  // runs come highest first: filled from the end
  auto place = [&](const uint64_t* run, size_t m) {
    end -= m;
    std::copy(run, run + m, sorted + end);
  };
  RunSorter<decltype(place)>(place).Sort(src, scratch->spare(n), n, varying);
  return {sorted, n};
}

RankingResult ExactRanking(std::span<const std::span<const uint64_t>> segments,
                           SortScratch* scratch, const ParallelFor& parallel_for) {
  size_t n = 0;
  for (std::span<const uint64_t> keys : segments) n += keys.size();
  TieGroupSweep<false> sweep;
  if (n == 0) return sweep.Finish();
  auto one_score = [&] {  // one tie group
    uint64_t pos = 0;
    for (std::span<const uint64_t> keys : segments) {
      for (uint64_t key : keys) pos += key & 1;
    }
    sweep.Add(pos, n - pos);
    return sweep.Finish();
  };
  // The scatter's trash slots (one per part) follow the n keys.
  uint64_t* const output = scratch->output(n + kParallelParts);
  if (n <= kCacheKeys) {
    // Small: gathered, sorted in cache and swept.
    const uint64_t varying = BitsOf(segments).varying();
    if (varying == 0) return one_score();
    uint64_t* out = output;
    for (std::span<const uint64_t> keys : segments) out = std::copy(keys.begin(), keys.end(), out);
    SweepVisitor<TieGroupSweep<false>> visit(sweep);
    RunSorter<decltype(visit)>(visit).Sort(output, scratch->cache(n), n, varying);
    return sweep.Finish();
  }
  // With threads, the passes over the input (counts, scatter) read it in parts, one thread per
  // part at a time.
  const bool parallel = static_cast<bool>(parallel_for);
  std::vector<std::vector<std::span<const uint64_t>>> split;
  std::vector<Segments> pieces;
  if (parallel) {
    split = SplitParts(segments, n, kParallelParts);
    pieces.assign(split.begin(), split.end());
  } else {
    pieces.push_back(segments);
  }
  // Large: one scatter pass into the output; then groups of buckets, each sorted in cache and
  // swept at once, bucket by bucket, from the positives and negatives of the groups above it; the
  // groups' sums are added up in order. The scatter's counting pass counts each bucket's
  // positives: buckets of negatives only are not stored, and are swept by their number. In
  // parallel, each group knows from those counts where it starts; in sequence, the groups run
  // from the highest, each starting where the one above ended: the same start, so the same sums.
  KeyBits bits;
  const std::vector<Bucket> buckets =
      FirstScatter(pieces, segments, n, output, parallel_for, &bits);
  if (bits.varying() == 0) return one_score();
  const std::vector<BucketGroup> groups = GroupBuckets(buckets);
  std::vector<TieGroupSweep<false>> parts(groups.size());
  if (parallel) {
    uint64_t tp = 0, fp = 0;
    for (size_t g = groups.size(); g-- > 0;) {
      parts[g] = TieGroupSweep<false>(tp, fp);
      tp += groups[g].positives;
      fp += groups[g].keys - groups[g].positives;
    }
  }
  // Sorts and sweeps the groups [begin, end), the highest first.
  auto sweep_groups = [&](size_t begin, size_t end) {
    SortScratch local;
    SortScratch* const s = parallel ? &local : scratch;  // the caller's, when on its thread
    uint64_t* const cache = s->cache(kCacheKeys);
    for (size_t g = end; g-- > begin;) {
      if (!parallel && g + 1 < groups.size()) parts[g] = parts[g + 1].Below();
      SweepVisitor<TieGroupSweep<false>> visit(parts[g]);
      RunSorter<decltype(visit)> sorter(visit);
      size_t offset = groups[g].offset + groups[g].stored_keys;
      for (size_t b = groups[g].first_bucket + groups[g].buckets; b-- > groups[g].first_bucket;) {
        const size_t c = buckets[b].keys;
        if (!buckets[b].stored) {
          visit.Negatives(c);
          continue;
        }
        offset -= c;
        if (c == 0) continue;
        uint64_t* const data = output + offset;
        sorter.Sort(data, c > kCacheKeys ? s->spare(c) : cache, c, VaryingBits(data, c));
      }
    }
  };
  RunParallelFor(parallel_for, groups.size(), sweep_groups);
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
