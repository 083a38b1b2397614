#include "modelwatch/core/sort_doubles.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace modelwatch {
namespace {

constexpr size_t kRadixMinSize = 256;  // below this std::sort is as fast
constexpr size_t kInsertionMax = 32;   // buckets up to this size: insertion sort
constexpr int kTopMaxBits = 16;        // digit width of the first pass (one pass over all values)
constexpr int kMaxBits = 13;           // of the later passes (buckets that fit in cache)
constexpr size_t kTopSample = 512;     // values sampled to guess the digit of the first pass
constexpr size_t kBucketSample = 16;   // keys sampled to guess the digit of a later pass
constexpr uintptr_t kPrefetchAhead = 256;  // bytes ahead of a bucket's next key (4 lines)
constexpr uint64_t kSignBit = uint64_t{1} << 63;

// The order-preserving image: negative doubles have every bit flipped, others the sign bit set.
uint64_t ToKey(double x) {
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  return (bits & kSignBit) != 0 ? ~bits : bits | kSignBit;
}

double FromKey(uint64_t key) {
  return std::bit_cast<double>((key & kSignBit) != 0 ? key & ~kSignBit : ~key);
}

// The digit of a pass: the `bits` bits from the highest varying one down (fewer when fewer vary),
// about one bucket per two keys (up to max_bits), so that most buckets end up with a key or two.
struct Digit {
  int shift = 0;
  size_t buckets = 0;
  size_t Of(uint64_t key) const { return static_cast<size_t>(key >> shift) & (buckets - 1); }
};

Digit ChooseDigit(uint64_t varying, size_t n, int max_bits) {
  const int top = 63 - std::countl_zero(varying);  // varying != 0
  const int wanted = std::clamp(static_cast<int>(std::bit_width(n)) - 1, 4, max_bits);
  const int bits = std::min(wanted, top + 1);
  return Digit{top + 1 - bits, size_t{1} << bits};
}

void InsertionSort(uint64_t* keys, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    const uint64_t key = keys[i];
    size_t j = i;
    for (; j > 0 && keys[j - 1] > key; --j) keys[j] = keys[j - 1];
    keys[j] = key;
  }
}

void WriteDoubles(const uint64_t* keys, size_t n, double* out) {
  for (size_t i = 0; i < n; ++i) out[i] = FromKey(keys[i]);
}

// The key of a value of the input, or of a key.
uint64_t KeyOf(double x) { return ToKey(x); }
uint64_t KeyOf(uint64_t key) { return key; }

// The bits in which the keys of in[i] differ, for i in [0, n) with i % stride == 0 (0: equal).
template <typename T>
uint64_t VaryingBits(const T* in, size_t n, size_t stride) {
  uint64_t any = 0, all = ~uint64_t{0};
  for (size_t i = 0; i < n; i += stride) {
    const uint64_t key = KeyOf(in[i]);
    any |= key;
    all &= key;
  }
  return any ^ all;
}

// Counts the keys of in[0, n) by digit into pos (2 * digit.buckets counters, zeroed) and
// returns the bits in which they differ. The two halves of the input are counted apart, as two
// independent streams of work per iteration: pos[2 * d] counts the first half's keys in bucket
// d, pos[2 * d + 1] the second's.
template <typename T>
uint64_t Count(const T* in, size_t n, const Digit& digit, uint32_t* pos) {
  const size_t half = n / 2;
  const T* const in2 = in + half;
  uint64_t any = 0, all = ~uint64_t{0}, any2 = 0, all2 = ~uint64_t{0};
  for (size_t i = 0; i < half; ++i) {
    const uint64_t key = KeyOf(in[i]), key2 = KeyOf(in2[i]);
    any |= key;
    all &= key;
    any2 |= key2;
    all2 &= key2;
    ++pos[2 * digit.Of(key)];
    ++pos[2 * digit.Of(key2) + 1];
  }
  if (n % 2 != 0) {  // the last one, in the second half
    const uint64_t key = KeyOf(in[n - 1]);
    any |= key;
    all &= key;
    ++pos[2 * digit.Of(key) + 1];
  }
  return (any | any2) ^ (all & all2);
}

// Asks for the cache line kPrefetchAhead bytes past `at` to be fetched for writing: the
// scatter's stores go to as many places as it has buckets (too many for the hardware
// prefetchers to follow), and the line a bucket will fill next is then on its way when its
// first key comes. A prefetch never faults, so the address may lie past the end of the buffer
// (it is computed as an integer for that reason).
void PrefetchForWrite(const uint64_t* at) {
  __builtin_prefetch(
      reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(at) + kPrefetchAhead), 1);
}

// Stable scatter of the keys of in[0, n), counted by Count into pos, to out; on return end[d]
// is the end of bucket d in out (its start is end[d - 1], or 0). The halves of the input are
// scattered as two streams, the first half's keys of a bucket before the second's.
template <typename T>
void Scatter(const T* in, size_t n, const Digit& digit, uint32_t* pos, uint64_t* out,
             uint32_t* end) {
  uint32_t offset = 0;
  for (size_t d = 0; d < 2 * digit.buckets; ++d) {
    const uint32_t count = pos[d];
    pos[d] = offset;
    offset += count;
  }
  const size_t half = n / 2;
  const T* const in2 = in + half;
  for (size_t i = 0; i < half; ++i) {
    const uint64_t key = KeyOf(in[i]), key2 = KeyOf(in2[i]);
    const uint32_t at = pos[2 * digit.Of(key)]++, at2 = pos[2 * digit.Of(key2) + 1]++;
    PrefetchForWrite(out + at);
    PrefetchForWrite(out + at2);
    out[at] = key;
    out[at2] = key2;
  }
  if (n % 2 != 0) {
    const uint64_t key = KeyOf(in[n - 1]);
    out[pos[2 * digit.Of(key) + 1]++] = key;
  }
  for (size_t d = 0; d < digit.buckets; ++d) end[d] = pos[2 * d + 1];
}

// Chooses the digit of a pass over in[0, n) (max_bits wide at most) and counts the keys by it
// into *pos; nullopt if all keys are equal. The digit depends on the bits that vary, which only
// a scan of all keys tells; so as not to read them once more just for that, the digit is
// guessed from about `samples` keys and the keys are counted by it in the scan that finds those
// bits, and counted again if the guess was wrong (the sample missed a key that differs in a
// higher bit: rare). A sample of equal keys (a bucket of ties, common) is checked by a plain
// scan first.
template <typename T>
std::optional<Digit> CountByDigit(const T* in, size_t n, int max_bits, size_t samples,
                                  std::vector<uint32_t>* pos) {
  uint64_t varying = VaryingBits(in, n, std::max<size_t>(n / samples, 1));
  if (varying == 0) {
    varying = VaryingBits(in, n, 1);
    if (varying == 0) return std::nullopt;
  }
  Digit digit = ChooseDigit(varying, n, max_bits);
  pos->assign(2 * digit.buckets, 0);
  varying = Count(in, n, digit, pos->data());
  if (const Digit right = ChooseDigit(varying, n, max_bits);
      right.shift != digit.shift || right.buckets != digit.buckets) {
    digit = right;
    pos->assign(2 * digit.buckets, 0);
    Count(in, n, digit, pos->data());
  }
  return digit;
}

// Sorts the keys in `keys` (scratch: `other`, the same size) by most-significant digit first and
// writes them as doubles to `keys` if in_keys, else to `other`, at the same offsets.
void SortKeys(uint64_t* keys, uint64_t* other, size_t n, bool in_keys) {
  double* out = reinterpret_cast<double*>(in_keys ? keys : other);
  if (n <= kInsertionMax) {
    InsertionSort(keys, n);
    WriteDoubles(keys, n, out);
    return;
  }
  std::vector<uint32_t> end;
  {
    // On the heap, as calls nest: up to 64 KiB of counters, freed before the buckets are sorted,
    // and 32 KiB of bucket ends per call.
    std::vector<uint32_t> pos;
    const std::optional<Digit> digit = CountByDigit(keys, n, kMaxBits, kBucketSample, &pos);
    if (!digit) {
      WriteDoubles(keys, n, out);
      return;
    }
    end.resize(digit->buckets);
    Scatter(keys, n, *digit, pos.data(), other, end.data());
  }
  // The buckets, most of them small: a run of consecutive small buckets is in order but for
  // keys within a bucket, so one insertion sort over the run finishes it (each key moves only
  // within its bucket) without a branch per bucket.
  size_t run = 0;  // start of the current run of small buckets
  for (size_t d = 0, begin = 0; d < end.size(); begin = end[d++]) {
    const size_t m = end[d] - begin;
    if (m > kInsertionMax) [[unlikely]] {
      InsertionSort(other + run, begin - run);
      WriteDoubles(other + run, begin - run, out + run);
      SortKeys(other + begin, keys + begin, m, !in_keys);
      run = end[d];
    }
  }
  InsertionSort(other + run, n - run);
  WriteDoubles(other + run, n - run, out + run);
}

// n < 2^32: buckets are counted in 32 bits.
void RadixSort(std::span<double> values) {
  const size_t n = values.size();
  // The first pass goes over memory once with a wide digit, from the values to their keys in
  // the scratch buffer; the buckets it leaves are sorted while they sit in cache, back into
  // `values`.
  std::vector<uint32_t> pos;
  const std::optional<Digit> digit = CountByDigit(values.data(), n, kTopMaxBits, kTopSample, &pos);
  if (!digit) return;  // all equal
  std::unique_ptr<uint64_t[]> keys(new uint64_t[n]);
  std::vector<uint32_t> end(digit->buckets);
  Scatter(values.data(), n, *digit, pos.data(), keys.get(), end.data());
  pos = {};
  uint64_t* const scratch = reinterpret_cast<uint64_t*>(values.data());
  for (size_t d = 0, begin = 0; d < end.size(); begin = end[d++]) {
    if (end[d] > begin) SortKeys(keys.get() + begin, scratch + begin, end[d] - begin, false);
  }
}

}  // namespace

void SortDoubles(std::span<double> values) {
  if (std::is_sorted(values.begin(), values.end())) return;
  if (values.size() < kRadixMinSize || values.size() > UINT32_MAX) {
    // By key, not by value, so that -0.0 comes before 0.0 here too.
    std::vector<uint64_t> keys(values.size());
    std::transform(values.begin(), values.end(), keys.begin(), ToKey);
    std::sort(keys.begin(), keys.end());
    std::transform(keys.begin(), keys.end(), values.begin(), FromKey);
    return;
  }
  RadixSort(values);
}

std::span<const double> SortedView(std::span<const double> values, std::vector<double>* storage) {
  if (std::is_sorted(values.begin(), values.end())) return values;
  storage->assign(values.begin(), values.end());
  SortDoubles(*storage);
  return *storage;
}

}  // namespace modelwatch
